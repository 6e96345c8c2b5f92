//===- lowbit-run.cpp - JIT-run a model on .npy inputs --------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Compiles one function of a tensor-level module with lowbit-lower-to-cpu,
// JIT-runs it through mlir::ExecutionEngine on .npy inputs and writes, checks
// and times its results:
//
//   lowbit-run model.mlir --input=a.npy --input=b.npy --output-dir=out \
//       --expected=ref.npy --rtol=1e-5 --benchmark=100
//
// or, for a model instrumented with lowbit.observe, runs it over a directory
// of samples and writes the activation statistics static quantization reads:
//
//   lowbit-run observed.mlir --calibrate=samples/ --stats=stats.json
//
// The call goes through the `_mlir_ciface_<entry>` wrapper that
// convert-func-to-llvm emits for `llvm.emit_c_interface`:
//
//   void _mlir_ciface_main(Results *out, MemRef<A> *a, MemRef<B> *b)
//
// where MemRef<T, R> is {T *allocated, T *aligned, int64 offset,
// int64 sizes[R], int64 strides[R]}, and Results is the single result's
// descriptor or, with several results, a struct of one descriptor per
// result. Both are a run of int64-sized fields, so one buffer laid out
// result after result serves either case. Functions without results have
// no `out` parameter.
//
//===----------------------------------------------------------------------===//

#include "lowbit/IO/Npy.h"
#include "lowbit/IO/SampleDir.h"
#include "lowbit/InitAll.h"
#include "lowbit/Quant/ErrorMetrics.h"
#include "lowbit/Quant/HalfPrecision.h"
#include "lowbit/Runtime/CudaRuntime.h"
#include "lowbit/Runtime/Observers.h"
#include "lowbit/Target/ONNX/TensorFile.h"
#include "lowbit/Tools/CPULowering.h"
#include "lowbit/Tools/GPULowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

using namespace mlir;
using ::lowbit::io::DType;
using ::lowbit::io::NpyArray;

namespace cl = llvm::cl;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

namespace {

/// The command line. Constructed in main() so no option is a global.
struct Options {
  cl::OptionCategory category{"lowbit-run options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.mlir|model.mlirbc>"),
                             cl::cat(category)};
  cl::opt<std::string> entry{"entry", cl::desc("Function to run"),
                             cl::value_desc("name"), cl::init("main"),
                             cl::cat(category)};
  cl::list<std::string> inputs{
      "input", cl::desc("A .npy file per argument, in argument order"),
      cl::value_desc("file.npy"), cl::cat(category)};
  cl::list<std::string> outputs{
      "output", cl::desc("A .npy file per result, in result order"),
      cl::value_desc("file.npy"), cl::cat(category)};
  cl::opt<std::string> outputDir{
      "output-dir",
      cl::desc("Write result i to DIR/output_<i>.npy (DIR is created)"),
      cl::value_desc("DIR"), cl::cat(category)};
  cl::list<std::string> expected{
      "expected",
      cl::desc("A reference .npy file per result: print max_abs, sqnr_db and "
               "cosine and check |y - e| <= atol + rtol * |e|"),
      cl::value_desc("file.npy"), cl::cat(category)};
  cl::opt<double> rtol{"rtol",
                       cl::desc("Relative tolerance for --expected (default "
                                "1e-05, as numpy.allclose)"),
                       cl::init(1e-5), cl::cat(category)};
  cl::opt<double> atol{"atol",
                       cl::desc("Absolute tolerance for --expected (default "
                                "1e-08, as numpy.allclose)"),
                       cl::init(1e-8), cl::cat(category)};
  cl::opt<unsigned> benchmark{
      "benchmark",
      cl::desc("After the first call, time N more and print the median and "
               "minimum in milliseconds"),
      cl::value_desc("N"), cl::init(0), cl::cat(category)};
  cl::opt<unsigned> optLevel{
      "opt-level",
      cl::desc("LLVM optimization level of the JIT-compiled code, 0 to 3"),
      cl::init(2), cl::cat(category)};
  cl::opt<std::string> calibrate{
      "calibrate",
      cl::desc("Calibration: run the model, lowered with its lowbit.observe "
               "ops calling the statistics runtime, over every sample in "
               "DIR (DIR/<sample>/input_<i>.npy, or DIR/*.npy for a "
               "single-argument function) and write --stats"),
      cl::value_desc("DIR"), cl::cat(category)};
  // Spelled --stats on the command line; LLVM owns the option name "stats"
  // (its statistics switch), so main() renames the argument.
  cl::opt<std::string> stats{
      "stats-file",
      cl::desc("With --calibrate: the JSON statistics file to write "
               "(atomically; Gram matrices go to FILE.gram.bin); also "
               "spelled --stats=FILE"),
      cl::value_desc("FILE"), cl::cat(category)};
  mlir::lowbit::CPUTargetCommandLine cpu{category, /*hostOnly=*/true};
  cl::opt<bool> dumpLLVM{
      "dump-llvm",
      cl::desc("Print the LLVM IR that is compiled (after the --opt-level "
               "optimizations) to stdout"),
      cl::init(false), cl::cat(category)};
  cl::opt<std::string> device{
      "device",
      cl::desc("cpu (default), or cuda: after the CPU run, also compile with "
               "lowbit-lower-to-nvvm, run on the GPU and compare its results "
               "with the CPU's (--rtol/--atol)"),
      cl::value_desc("cpu|cuda"), cl::init("cpu"), cl::cat(category)};
  cl::opt<std::string> chip{
      "chip", cl::desc("With --device=cuda: sm_90a (default) or sm_80"),
      cl::init("sm_90a"), cl::cat(category)};
};

} // namespace

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// Prints "lowbit-run: error: <message>" and returns false, so callers can
/// `return error(...)`.
static bool error(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "lowbit-run") << message << "\n";
  return false;
}

static std::string quote(llvm::StringRef path) {
  return ("'" + path + "'").str();
}

/// LowbitIO's messages start with "<path>: "; the tool names the file its
/// own way.
static std::string withoutPath(const std::string &message,
                               const std::string &path) {
  std::string prefix = path + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size())
                                       : message;
}

template <typename T> static std::string str(const T &value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << value;
  return s;
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

namespace {

/// One ranked-tensor argument or result of the entry function.
struct TensorSig {
  /// The MLIR type, e.g. "tensor<?x8xf32>".
  std::string type;
  DType dtype;
  /// Signless i8: the bytes of an int8 or a uint8 array (ONNX uint8 is
  /// imported as signless i8).
  bool signlessByte = false;
  /// bf16, which .npy has no dtype for: read from float32 arrays (rounded
  /// to nearest even) and written as float32 arrays (exactly); `dtype` is
  /// F32.
  bool bf16 = false;
  /// Sizes; ShapedType::kDynamic for dynamic dimensions.
  std::vector<int64_t> dims;
};

struct Signature {
  std::vector<TensorSig> args;
  std::vector<TensorSig> results;
  /// The arguments' `onnx.name` attributes ("" where absent), for matching
  /// TensorProto inputs by name.
  std::vector<std::string> argNames;
};

} // namespace

/// The .npy element type that holds `type`: signless and signed integers map
/// to the signed dtypes, ui8 to uint8, i1 to bool, bf16 to float32 (see
/// TensorSig::bf16).
static std::optional<DType> toDType(Type type) {
  if (type.isF16())
    return DType::F16;
  if (type.isF32() || type.isBF16())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return std::nullopt;
  unsigned width = intType.getWidth();
  if (width == 1)
    return DType::Bool;
  if (intType.isUnsigned())
    return width == 8 ? std::optional<DType>(DType::U8) : std::nullopt;
  switch (width) {
  case 8:
    return DType::I8;
  case 16:
    return DType::I16;
  case 32:
    return DType::I32;
  case 64:
    return DType::I64;
  default:
    return std::nullopt;
  }
}

static bool readTypes(TypeRange types, llvm::StringRef kind,
                      llvm::StringRef function, std::vector<TensorSig> &out) {
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    std::optional<DType> dtype =
        tensorType ? toDType(tensorType.getElementType()) : std::nullopt;
    if (!dtype || tensorType.getEncoding())
      return error(kind + " " + llvm::Twine(i) + " of @" + function +
                   " has type " + str(type) +
                   "; lowbit-run supports ranked tensors (without encoding) "
                   "of f16, bf16 (as float32 arrays), f32, f64, i1, i8, ui8, "
                   "i16, i32 and i64");
    TensorSig sig;
    sig.type = str(type);
    sig.signlessByte = tensorType.getElementType().isSignlessInteger(8);
    sig.bf16 = tensorType.getElementType().isBF16();
    sig.dtype = *dtype;
    sig.dims.assign(tensorType.getShape().begin(), tensorType.getShape().end());
    out.push_back(std::move(sig));
  }
  return true;
}

static bool readSignature(FunctionType type, llvm::StringRef function,
                          Signature &sig) {
  return readTypes(type.getInputs(), "argument", function, sig.args) &&
         readTypes(type.getResults(), "result", function, sig.results);
}

/// Reads an array from a .npy file, or from an ONNX TensorProto file when
/// the name ends in `.pb` (then `name` is the tensor's name).
static bool readArrayFile(const std::string &path, NpyArray &array,
                          std::string &name, std::string &message) {
  if (llvm::StringRef(path).ends_with(".pb"))
    return ::lowbit::onnx_import::readTensorProtoFile(path, array, name,
                                                      message);
  name.clear();
  return ::lowbit::io::readNpy(path, array, message);
}

/// "tensor<4x8xf32>" against "int8 array of shape (4, 8)": equal when the
/// dtypes are and every static dimension matches.
static bool matches(const TensorSig &sig, const NpyArray &array) {
  bool sameBytes = sig.signlessByte &&
                   (array.dtype == DType::I8 || array.dtype == DType::U8);
  if ((sig.dtype != array.dtype && !sameBytes) ||
      sig.dims.size() != array.shape.size())
    return false;
  return llvm::all_of(llvm::zip(sig.dims, array.shape), [](auto dims) {
    auto [want, got] = dims;
    return ShapedType::isDynamic(want) || want == got;
  });
}

static std::string describe(const NpyArray &array) {
  return std::string(::lowbit::io::dtypeName(array.dtype)) +
         " array of shape " + ::lowbit::io::formatShape(array.shape);
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

/// Anything outside the LLVM dialect cannot be translated: names the op
/// rather than letting the translation fail on it. Casts are only left
/// around an op that was not converted, so that op is named if there is one.
static bool checkAllLLVM(ModuleOp module, const Options &opts,
                         llvm::StringRef what) {
  if (Operation *leftover = mlir::lowbit::findUntranslatableOp(module))
    return error(what + " '" + leftover->getName().getStringRef() + "' at " +
                 str(leftover->getLoc()) + " in " + quote(opts.model) +
                 "; it cannot be translated to LLVM IR");
  return true;
}

/// Finds the entry in a tensor-level module, records its signature, and
/// lowers the module to the LLVM dialect with a C interface for the entry.
static bool lowerTensorModule(ModuleOp module, func::FuncOp func,
                              const Options &opts, Signature &sig) {
  bool calibrating = !opts.calibrate.empty();
  if (func.isExternal())
    return error("entry function @" + opts.entry + " in " + quote(opts.model) +
                 " is a declaration without a body");
  if (!readSignature(func.getFunctionType(), opts.entry, sig))
    return false;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto name = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
    sig.argNames.push_back(name ? name.str() : "");
  }
  // Arguments are read-only (see lowerEntryModuleToCPU): the same input
  // buffers serve every --benchmark call.
  std::string lowerError = mlir::lowbit::lowerEntryModuleToCPU(
      module, func, calibrating, opts.cpu.target, opts.cpu.numThreads);
  if (!lowerError.empty())
    return error("lowering " + quote(opts.model) + ": " + lowerError);

  return checkAllLLVM(module, opts, "lowbit-lower-to-cpu left");
}

/// Accepts a module that is already in the LLVM dialect. Its tensor
/// signature cannot be recovered from the LLVM types (pointers are opaque),
/// so it must be attached as `lowbit.signature`.
static bool checkLLVMModule(ModuleOp module, const Options &opts,
                            Signature &sig) {
  std::string cifaceName = "_mlir_ciface_" + opts.entry;
  auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(cifaceName);
  auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>(opts.entry);
  if (!ciface || ciface.isExternal())
    return error(quote(opts.model) + " is in the LLVM dialect but has no @" +
                 cifaceName + " (give @" + opts.entry +
                 " the llvm.emit_c_interface attribute before lowering); "
                 "functions: " +
                 mlir::lowbit::listFunctions(module));
  TypeAttr sigAttr;
  for (LLVM::LLVMFuncOp f : {entry, ciface})
    if (f && !sigAttr)
      sigAttr = f->getAttrOfType<TypeAttr>("lowbit.signature");
  auto type = sigAttr ? dyn_cast<FunctionType>(sigAttr.getValue()) : nullptr;
  if (!type)
    return error("@" + cifaceName + " in " + quote(opts.model) +
                 " has no lowbit.signature attribute: an LLVM-dialect "
                 "module must state the tensor signature of its entry, e.g. "
                 "lowbit.signature = (tensor<4x8xf32>) -> tensor<4xf32> on "
                 "the func.func before lowering");
  if (!readSignature(type, opts.entry, sig))
    return false;
  // The wrapper takes one pointer per argument, plus one for the results.
  unsigned expectedParams = sig.args.size() + (sig.results.empty() ? 0 : 1);
  if (ciface.getNumArguments() != expectedParams)
    return error("@" + cifaceName + " takes " +
                 llvm::Twine(ciface.getNumArguments()) +
                 " parameters but lowbit.signature " + str(type) + " implies " +
                 llvm::Twine(expectedParams));
  return checkAllLLVM(module, opts, "the module holds");
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

namespace {

/// A 64-byte aligned buffer from aligned_alloc, freed on destruction.
class AlignedBuffer {
public:
  explicit AlignedBuffer(size_t bytes)
      : ptr(static_cast<uint8_t *>(std::aligned_alloc(
            64, std::max<size_t>(64, (bytes + 63) / 64 * 64)))) {}
  ~AlignedBuffer() { std::free(ptr); }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  uint8_t *get() const { return ptr; }

private:
  uint8_t *ptr;
};

/// One argument as the JIT sees it.
struct ArgBuffer {
  std::unique_ptr<AlignedBuffer> buffer;
  size_t bytes = 0;
  /// {allocated, aligned, offset, sizes..., strides...}.
  std::vector<int64_t> descriptor;
};

/// The results of one call, copied out of the JIT-owned buffers.
struct CallResults {
  std::vector<NpyArray> arrays;
};

} // namespace

/// memref.get_global's descriptors carry this as `allocated`: the memory is
/// a constant global that nobody may free.
static constexpr uintptr_t kDeadBeef = 0xdeadbeef;

static int64_t toInt(const void *p) {
  return static_cast<int64_t>(reinterpret_cast<uintptr_t>(p));
}
static uint8_t *toPtr(int64_t v) {
  return reinterpret_cast<uint8_t *>(static_cast<uintptr_t>(v));
}

static std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i > 1; --i)
    strides[i - 2] = strides[i - 1] * shape[i - 1];
  return strides;
}

/// The argument buffer of `array`; with `bf16`, `array` is float32 and each
/// value is rounded to bf16 (nearest even).
static void makeArg(const NpyArray &array, ArgBuffer &arg, bool bf16) {
  arg.bytes = bf16 ? array.data.size() / 2 : array.data.size();
  arg.buffer = std::make_unique<AlignedBuffer>(arg.bytes);
  if (bf16) {
    uint8_t *out = arg.buffer->get();
    for (int64_t i = 0, e = array.numElements(); i < e; ++i) {
      float value;
      std::memcpy(&value, array.data.data() + i * sizeof(float), sizeof(float));
      uint16_t bits = ::lowbit::quant::floatToBFloat16Bits(value);
      std::memcpy(out + i * sizeof(bits), &bits, sizeof(bits));
    }
  } else if (arg.bytes) {
    std::memcpy(arg.buffer->get(), array.data.data(), arg.bytes);
  }
  arg.descriptor = {toInt(arg.buffer->get()), toInt(arg.buffer->get()), 0};
  arg.descriptor.insert(arg.descriptor.end(), array.shape.begin(),
                        array.shape.end());
  std::vector<int64_t> strides = rowMajorStrides(array.shape);
  arg.descriptor.insert(arg.descriptor.end(), strides.begin(), strides.end());
}

/// Copies the (possibly strided) memref described at `desc` into a C-order
/// array; with `bf16`, the memref holds bf16 and the array (`dtype` F32)
/// gets their exact float32 values.
static void copyOut(const int64_t *desc, size_t rank, DType dtype,
                    NpyArray &array, bool bf16) {
  if (bf16) {
    NpyArray halves;
    copyOut(desc, rank, DType::I16, halves, /*bf16=*/false);
    array.dtype = DType::F32;
    array.shape = halves.shape;
    array.data.resize(halves.data.size() * 2);
    for (size_t i = 0, e = halves.data.size() / 2; i < e; ++i) {
      uint16_t bits;
      std::memcpy(&bits, halves.data.data() + 2 * i, sizeof(bits));
      float value = ::lowbit::quant::bfloat16BitsToFloat(bits);
      std::memcpy(array.data.data() + 4 * i, &value, sizeof(value));
    }
    return;
  }
  size_t elemSize = ::lowbit::io::dtypeSize(dtype);
  const uint8_t *base = toPtr(desc[1]) + desc[2] * int64_t(elemSize);
  array.dtype = dtype;
  array.shape.assign(desc + 3, desc + 3 + rank);
  std::vector<int64_t> strides(desc + 3 + rank, desc + 3 + 2 * rank);
  int64_t n = array.numElements();
  array.data.resize(size_t(n) * elemSize);
  if (n == 0)
    return;
  if (strides == rowMajorStrides(array.shape)) {
    std::memcpy(array.data.data(), base, array.data.size());
    return;
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += index[d] * strides[d];
    std::memcpy(array.data.data() + size_t(i) * elemSize,
                base + offset * int64_t(elemSize), elemSize);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < array.shape[d])
        break;
      index[d] = 0;
    }
  }
}

namespace {

/// Calls the entry through its packed C-interface wrapper.
class Invoker {
public:
  Invoker(ExecutionEngine &engine, std::string name, const Signature &sig,
          std::vector<ArgBuffer> &args)
      : engine(engine), name(std::move(name)), sig(sig), args(args) {
    size_t words = 0;
    for (const TensorSig &r : sig.results)
      words += 3 + 2 * r.dims.size();
    resultWords.assign(words, 0);
    for (const ArgBuffer &arg : args) {
      inputAllocations.insert(arg.descriptor[0]);
      argPtrs.push_back(const_cast<int64_t *>(arg.descriptor.data()));
    }
  }

  /// Runs the module's initializers and finds the packed wrapper, once, so
  /// that neither is part of a timed call.
  bool prepare() {
    engine.initialize();
    auto fn = engine.lookupPacked(name);
    if (!fn)
      return error("cannot find @" + name + " in the JIT-compiled code: " +
                   llvm::toString(fn.takeError()));
    packedFn = *fn;
    return true;
  }

  /// Runs the function once. When `results` is non-null the results are
  /// copied into it; the JIT-allocated buffers are freed either way. When
  /// `ms` is non-null it receives the duration of the call alone.
  bool call(CallResults *results, double *ms = nullptr) {
    resultPtr = resultWords.data();
    std::vector<void *> packed;
    if (!sig.results.empty())
      packed.push_back(&resultPtr);
    for (void *&p : argPtrs)
      packed.push_back(&p);
    auto start = std::chrono::steady_clock::now();
    packedFn(packed.data());
    auto stop = std::chrono::steady_clock::now();
    if (ms)
      *ms = std::chrono::duration<double, std::milli>(stop - start).count();

    // Copy every result out before freeing any buffer: results may alias
    // one another (a reshape of another result is a view of its buffer).
    bool ok = true;
    const int64_t *desc = resultWords.data();
    std::vector<int64_t> allocations;
    for (auto [i, r] : llvm::enumerate(sig.results)) {
      size_t rank = r.dims.size();
      for (size_t d = 0; d < rank && ok; ++d) {
        int64_t size = desc[3 + d];
        if (size < 0 ||
            (!ShapedType::isDynamic(r.dims[d]) && size != r.dims[d]))
          ok = error("result " + llvm::Twine(i) + " of @" + name +
                     " came back with size " + llvm::Twine(size) +
                     " in dimension " + llvm::Twine(d) + " for type " + r.type);
      }
      if (ok && results) {
        NpyArray array;
        copyOut(desc, rank, r.dtype, array, r.bf16);
        results->arrays.push_back(std::move(array));
      }
      allocations.push_back(desc[0]);
      desc += 3 + 2 * rank;
    }
    // Results own fresh allocations, except those that alias an input
    // (written in place), a constant global, or another result.
    std::set<int64_t> freed;
    for (int64_t allocated : allocations)
      if (allocated && uintptr_t(allocated) != kDeadBeef &&
          !inputAllocations.count(allocated) && freed.insert(allocated).second)
        std::free(toPtr(allocated));
    return ok;
  }

  /// Restores the inputs from `pristine` (a function may write its
  /// arguments in place).
  void restoreInputs(const std::vector<NpyArray> &pristine) {
    for (auto [arg, array] : llvm::zip(args, pristine))
      if (arg.bytes)
        std::memcpy(arg.buffer->get(), array.data.data(), arg.bytes);
  }

private:
  ExecutionEngine &engine;
  std::string name;
  void (*packedFn)(void **) = nullptr;
  const Signature &sig;
  std::vector<ArgBuffer> &args;
  std::vector<int64_t> resultWords;
  void *resultPtr = nullptr;
  std::vector<void *> argPtrs;
  std::set<int64_t> inputAllocations;
};

} // namespace

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

/// Element `i` of `array` as a double.
static double elementAt(const NpyArray &array, size_t i) {
  const uint8_t *p =
      array.data.data() + i * ::lowbit::io::dtypeSize(array.dtype);
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (array.dtype) {
  case DType::F16:
    return ::lowbit::quant::halfBitsToFloat(load(uint16_t()));
  case DType::F32:
    return load(float());
  case DType::F64:
    return load(double());
  case DType::I8:
    return load(int8_t());
  case DType::U8:
  case DType::Bool:
    return load(uint8_t());
  case DType::I16:
    return load(int16_t());
  case DType::I32:
    return load(int32_t());
  case DType::I64:
    return double(load(int64_t()));
  }
  return 0;
}

static std::string formatIndex(const std::vector<int64_t> &shape, size_t i) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = int64_t(i) % shape[d];
    i /= size_t(shape[d]);
  }
  std::string s = "[";
  for (size_t d = 0; d < index.size(); ++d)
    s += (d ? ", " : "") + std::to_string(index[d]);
  return s + "]";
}

/// Prints the metrics line of output `i` and returns whether it passes
/// |y - e| <= atol + rtol |e| everywhere (numpy.isclose without equal_nan:
/// NaNs fail, equal infinities pass).
static bool compare(size_t i, const NpyArray &got, const NpyArray &want,
                    const Options &opts) {
  size_t n = size_t(got.numElements());
  std::vector<float> y(n), e(n);
  size_t bad = 0, firstBad = 0;
  for (size_t k = 0; k < n; ++k) {
    double yk = elementAt(got, k), ek = elementAt(want, k);
    y[k] = float(yk);
    e[k] = float(ek);
    bool close =
        yk == ek || std::fabs(yk - ek) <= opts.atol + opts.rtol * std::fabs(ek);
    if (!close && bad++ == 0)
      firstBad = k;
  }
  ::lowbit::quant::ErrorMetrics m =
      ::lowbit::quant::computeErrorMetrics(e.data(), y.data(), n);
  llvm::outs() << "output " << i
               << ": max_abs=" << llvm::format("%.6g", m.maxAbs)
               << " sqnr_db=" << llvm::format("%.6g", m.sqnrDb)
               << " cosine=" << llvm::format("%.9g", m.cosine)
               << (bad ? " [FAIL]" : " [PASS]") << "\n";
  if (bad)
    llvm::outs() << "  " << bad << " of " << n
                 << " elements differ by more than atol + rtol * |expected| "
                    "(atol="
                 << llvm::format("%g", double(opts.atol))
                 << ", rtol=" << llvm::format("%g", double(opts.rtol))
                 << "); first at " << formatIndex(got.shape, firstBad)
                 << ": got " << llvm::format("%.9g", elementAt(got, firstBad))
                 << ", expected "
                 << llvm::format("%.9g", elementAt(want, firstBad)) << "\n";
  return bad == 0;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static bool checkOptions(Options &opts) {
  if (opts.calibrate.empty() != opts.stats.empty())
    return error("--calibrate=DIR and --stats=FILE go together");
  if (!opts.calibrate.empty() &&
      (!opts.inputs.empty() || !opts.outputs.empty() ||
       !opts.outputDir.empty() || !opts.expected.empty() || opts.benchmark))
    return error("--calibrate takes its inputs from DIR; it cannot be "
                 "combined with --input, --output, --output-dir, --expected "
                 "or --benchmark");
  if (!opts.outputs.empty() && !opts.outputDir.empty())
    return error("--output and --output-dir cannot be combined");
  if (opts.optLevel > 3)
    return error("--opt-level must be 0, 1, 2 or 3, got " +
                 llvm::Twine(opts.optLevel.getValue()));
  if (opts.device != "cpu" && opts.device != "cuda")
    return error("--device must be cpu or cuda, got '" + opts.device + "'");
  if (opts.device == "cuda" && opts.chip != "sm_90a" && opts.chip != "sm_80")
    return error("--chip must be sm_90a or sm_80, got '" + opts.chip + "'");
  if (opts.device == "cuda" && !opts.calibrate.empty())
    return error("--device=cuda cannot be combined with --calibrate");
  if (!(opts.rtol >= 0) || !(opts.atol >= 0))
    return error("--rtol and --atol must be non-negative numbers");
  std::string targetError;
  if (!opts.cpu.resolve(targetError))
    return error(targetError);
  return true;
}

/// Writes every result, or none: if one write fails, the files already
/// written by this run are removed again.
static bool writeOutputs(const std::vector<NpyArray> &arrays,
                         const Options &opts) {
  std::vector<std::string> paths;
  if (!opts.outputDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir))
      return error("cannot create --output-dir " + quote(opts.outputDir) +
                   ": " + ec.message());
    for (size_t i = 0; i < arrays.size(); ++i) {
      llvm::SmallString<256> path(opts.outputDir.getValue());
      llvm::sys::path::append(path, "output_" + std::to_string(i) + ".npy");
      paths.push_back(path.str().str());
    }
  } else {
    paths.assign(opts.outputs.begin(), opts.outputs.end());
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string message;
    if (!::lowbit::io::writeNpy(paths[i], arrays[i], message)) {
      for (size_t j = 0; j < i; ++j)
        llvm::sys::fs::remove(paths[j]);
      return error("output " + llvm::Twine(i) + " (" + quote(paths[i]) +
                   "): " + withoutPath(message, paths[i]));
    }
  }
  return true;
}

static std::unique_ptr<ExecutionEngine> createEngine(ModuleOp module,
                                                     const Options &opts) {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    error("cannot target the host CPU: " + llvm::toString(builder.takeError()));
    return nullptr;
  }
  llvm::CodeGenOptLevel codeGenLevel = llvm::CodeGenOptLevel::Default;
  switch (opts.optLevel) {
  case 0:
    codeGenLevel = llvm::CodeGenOptLevel::None;
    break;
  case 1:
    codeGenLevel = llvm::CodeGenOptLevel::Less;
    break;
  case 3:
    codeGenLevel = llvm::CodeGenOptLevel::Aggressive;
    break;
  default:
    break;
  }
  builder->setCodeGenOptLevel(codeGenLevel);
  if (opts.cpu.targetCPU != "native") {
    // A named CPU brings its own features, not the host's.
    builder->setCPU(opts.cpu.target.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
  auto tm = builder->createTargetMachine();
  if (!tm) {
    error("cannot create a target machine for the host: " +
          llvm::toString(tm.takeError()));
    return nullptr;
  }

  // The engine turns a failing transformer into an abort, so the error is
  // kept here and reported after create() returns.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(opts.optLevel, /*sizeLevel=*/0, tm->get());
  std::string transformError;
  auto transformer = [&](llvm::Module *llvmModule) -> llvm::Error {
    if (llvm::Error err = optimize(llvmModule)) {
      transformError = llvm::toString(std::move(err));
      return llvm::Error::success();
    }
    if (opts.dumpLLVM)
      llvmModule->print(llvm::outs(), nullptr);
    return llvm::Error::success();
  };

  // memref.copy of non-contiguous memrefs lowers to a call to memrefCopy
  // from MLIR's C runner utilities.
  llvm::SmallVector<llvm::StringRef, 1> libs;
  if (llvm::sys::fs::exists(LOWBIT_MLIR_C_RUNNER_UTILS))
    libs.push_back(LOWBIT_MLIR_C_RUNNER_UTILS);

  // Parallel kernels call the OpenMP runtime; the JIT resolves its symbols
  // in the process, so load it (globally) first.
  if (opts.cpu.numThreads > 1) {
    // One OpenMP thread per core unless the user's environment places the
    // threads itself. Unbound, Linux may wake a kernel's worker on the core
    // its caller runs on and leave both there: on the 2-core build VM a
    // two-thread 4096 x 4096 int4 GEMV took 0.226 ms per call for a whole
    // --benchmark=200 run in one of three runs, 0.123 ms in the others;
    // bound, 0.119 to 0.128 ms in every run. (The main thread stays on the
    // first core from the first parallel region on.)
    if (!getenv("KMP_AFFINITY") && !getenv("GOMP_CPU_AFFINITY")) {
      setenv("OMP_PROC_BIND", "close", /*overwrite=*/0);
      setenv("OMP_PLACES", "cores", /*overwrite=*/0);
    }
    std::string loadError;
    if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(LOWBIT_LIBOMP,
                                                          &loadError)) {
      error("--threads=" + llvm::Twine(opts.cpu.numThreads) +
            " needs the OpenMP runtime " + quote(LOWBIT_LIBOMP) + ": " +
            loadError + " (use --threads=1, or install libomp)");
      return nullptr;
    }
  }

  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codeGenLevel;
  engineOptions.sharedLibPaths = libs;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine) {
    error("cannot JIT-compile " + quote(opts.model) + ": " +
          llvm::toString(engine.takeError()));
    return nullptr;
  }
  if (!transformError.empty()) {
    error("optimizing the LLVM IR of " + quote(opts.model) +
          " failed: " + transformError);
    return nullptr;
  }
  return std::move(*engine);
}

static bool calibrate(ModuleOp module, const Signature &sig,
                      const Options &opts);

static bool runOnCuda(ModuleOp module, const Options &opts,
                      const Signature &sig, std::vector<ArgBuffer> &args,
                      const std::vector<NpyArray> &cpuResults);

static bool run(Options &opts) {
  if (!checkOptions(opts))
    return false;

  DialectRegistry registry;
  mlir::lowbit::registerCPUToolDialects(registry);
  MLIRContext context(registry);

  // Parse (text or bytecode).
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFileOrSTDIN(opts.model);
  if (!file)
    return error("cannot open model " + quote(opts.model) + ": " +
                 file.getError().message());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return error("cannot parse model " + quote(opts.model));

  // Find the entry and lower the module, or check the lowered one.
  Signature sig;
  auto func = module->lookupSymbol<func::FuncOp>(opts.entry);
  bool tensorLevel = !module->getOps<func::FuncOp>().empty();
  // --device=cuda lowers its own copy of the tensor-level module.
  OwningOpRef<ModuleOp> gpuModule;
  if (opts.device == "cuda") {
    if (!func)
      return error("--device=cuda needs a tensor-level model with @" +
                   opts.entry);
    gpuModule = module->clone();
  }
  if (func) {
    if (!lowerTensorModule(*module, func, opts, sig))
      return false;
  } else if (tensorLevel || module->getOps<LLVM::LLVMFuncOp>().empty()) {
    return error("no function @" + opts.entry + " in " + quote(opts.model) +
                 "; functions: " + mlir::lowbit::listFunctions(*module) +
                 " (choose one with --entry)");
  } else if (!checkLLVMModule(*module, opts, sig)) {
    return false;
  }

  if (!opts.calibrate.empty())
    return calibrate(*module, sig, opts);

  // Check the files against the signature before compiling anything.
  size_t numArgs = sig.args.size(), numResults = sig.results.size();
  if (opts.inputs.size() != numArgs)
    return error("@" + opts.entry + " takes " + llvm::Twine(numArgs) +
                 " argument(s) but " + llvm::Twine(opts.inputs.size()) +
                 " --input file(s) were given");
  if (!opts.outputs.empty() && opts.outputs.size() != numResults)
    return error("@" + opts.entry + " returns " + llvm::Twine(numResults) +
                 " result(s) but " + llvm::Twine(opts.outputs.size()) +
                 " --output file(s) were given");
  if (!opts.expected.empty() && opts.expected.size() != numResults)
    return error("@" + opts.entry + " returns " + llvm::Twine(numResults) +
                 " result(s) but " + llvm::Twine(opts.expected.size()) +
                 " --expected file(s) were given");

  // Inputs are .npy files or ONNX TensorProto (.pb) files. TensorProtos
  // carry names: when every input file has one and the entry's arguments
  // have `onnx.name`s, inputs are matched by name, else by position.
  std::vector<NpyArray> inputs(numArgs);
  std::vector<std::string> inputNames(numArgs);
  std::vector<std::string> inputFiles(opts.inputs.begin(), opts.inputs.end());
  for (size_t i = 0; i < numArgs; ++i) {
    std::string message;
    if (!readArrayFile(inputFiles[i], inputs[i], inputNames[i], message))
      return error("input " + llvm::Twine(i) + " (" + quote(inputFiles[i]) +
                   "): " + withoutPath(message, inputFiles[i]));
  }
  bool byName = numArgs > 0 && sig.argNames.size() == numArgs &&
                llvm::all_of(inputNames,
                             [](const std::string &n) { return !n.empty(); }) &&
                llvm::all_of(sig.argNames,
                             [](const std::string &n) { return !n.empty(); });
  if (byName) {
    std::vector<NpyArray> ordered(numArgs);
    std::vector<std::string> orderedFiles(numArgs);
    for (size_t i = 0; i < numArgs; ++i) {
      auto it = llvm::find(inputNames, sig.argNames[i]);
      if (it == inputNames.end())
        return error("argument " + llvm::Twine(i) + " of @" + opts.entry +
                     " is ONNX input '" + sig.argNames[i] +
                     "', but no input file holds a tensor of that name");
      size_t j = it - inputNames.begin();
      ordered[i] = std::move(inputs[j]);
      orderedFiles[i] = inputFiles[j];
    }
    inputs = std::move(ordered);
    inputFiles = std::move(orderedFiles);
  }
  for (size_t i = 0; i < numArgs; ++i)
    if (!matches(sig.args[i], inputs[i]))
      return error("input " + llvm::Twine(i) + " (" + quote(inputFiles[i]) +
                   "): expected " + sig.args[i].type + ", got " +
                   describe(inputs[i]));
  std::vector<NpyArray> expected(opts.expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    std::string message;
    std::string unusedName;
    if (!readArrayFile(opts.expected[i], expected[i], unusedName, message))
      return error("expected output " + llvm::Twine(i) + " (" +
                   quote(opts.expected[i]) +
                   "): " + withoutPath(message, opts.expected[i]));
    if (!matches(sig.results[i], expected[i]))
      return error("expected output " + llvm::Twine(i) + " (" +
                   quote(opts.expected[i]) + "): result " + llvm::Twine(i) +
                   " of @" + opts.entry + " is " + sig.results[i].type +
                   ", got " + describe(expected[i]));
  }

  // Compile and call.
  std::unique_ptr<ExecutionEngine> engine = createEngine(*module, opts);
  if (!engine)
    return false;

  std::vector<ArgBuffer> args(numArgs);
  for (size_t i = 0; i < numArgs; ++i)
    makeArg(inputs[i], args[i], sig.args[i].bf16);
  Invoker invoker(*engine, "_mlir_ciface_" + opts.entry, sig, args);
  CallResults results;
  if (!invoker.prepare() || !invoker.call(&results))
    return false;

  for (size_t i = 0; i < numResults; ++i) {
    const NpyArray &got = results.arrays[i];
    if (i < expected.size() && got.shape != expected[i].shape)
      return error("expected output " + llvm::Twine(i) + " (" +
                   quote(opts.expected[i]) + "): result " + llvm::Twine(i) +
                   " is a " + describe(got) + ", got " + describe(expected[i]));
  }

  // Write, compare, time.
  if (!writeOutputs(results.arrays, opts))
    return false;
  for (size_t i = 0; i < numResults; ++i) {
    llvm::outs() << "output " << i << ": " << describe(results.arrays[i]);
    if (!opts.outputs.empty())
      llvm::outs() << " -> " << opts.outputs[i];
    else if (!opts.outputDir.empty())
      llvm::outs() << " -> output_" << i << ".npy";
    llvm::outs() << "\n";
  }
  bool allPass = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    // A signless i8 result compared with a uint8 reference reads its bytes
    // as uint8 (the element type carries no sign).
    if (sig.results[i].signlessByte && expected[i].dtype == DType::U8)
      results.arrays[i].dtype = DType::U8;
    allPass &= compare(i, results.arrays[i], expected[i], opts);
  }
  if (gpuModule && !runOnCuda(*gpuModule, opts, sig, args, results.arrays))
    return false;

  if (opts.benchmark > 0) {
    std::vector<double> ms;
    ms.reserve(opts.benchmark);
    for (unsigned r = 0; r < opts.benchmark; ++r) {
      invoker.restoreInputs(inputs);
      double callMs = 0;
      if (!invoker.call(nullptr, &callMs))
        return false;
      ms.push_back(callMs);
    }
    std::sort(ms.begin(), ms.end());
    size_t n = ms.size();
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    llvm::outs() << "median_ms=" << llvm::format("%.6g", median)
                 << " min_ms=" << llvm::format("%.6g", ms.front())
                 << " runs=" << n << "\n";
  }
  llvm::outs().flush();
  return allPass;
}

//===----------------------------------------------------------------------===//
// CUDA
//===----------------------------------------------------------------------===//

/// --device=cuda: lowers `module` (the tensor-level copy) with
/// lowbit-lower-to-nvvm, JIT-compiles the host code with the CUDA runtime's
/// mgpu* entry points, calls the entry on the same inputs and compares each
/// result with the CPU's.
static bool runOnCuda(ModuleOp module, const Options &opts,
                      const Signature &sig, std::vector<ArgBuffer> &args,
                      const std::vector<NpyArray> &cpuResults) {
  namespace cuda = ::lowbit::runtime::cuda;
  // The CPU run's lines come first, also when stdout and stderr share a
  // file.
  llvm::outs().flush();
  DialectRegistry registry;
  mlir::lowbit::registerGPUToolTranslations(registry);
  module.getContext()->appendDialectRegistry(registry);
  auto func = module.lookupSymbol<func::FuncOp>(opts.entry);
  std::string lowerError =
      mlir::lowbit::lowerEntryModuleToNVVM(module, func, opts.chip);
  if (!lowerError.empty())
    return error("lowering " + quote(opts.model) + " for CUDA: " + lowerError);
  std::unique_ptr<ExecutionEngine> engine = createEngine(module, opts);
  if (!engine)
    return false;

  engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    cuda::forEachEntryPoint([&](const char *name, void *address) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    });
    return symbols;
  });
  // The driver is needed from here on: the module's constructors load the
  // kernels when the engine initialises.
  std::string driverError = cuda::initialize();
  if (!driverError.empty())
    return error("--device=cuda: " + driverError);
  Invoker invoker(*engine, "_mlir_ciface_" + opts.entry, sig, args);
  CallResults results;
  if (!invoker.prepare())
    return false;
  bool called = invoker.call(&results);
  if (std::string cudaError = cuda::takeError(); !cudaError.empty())
    return error("--device=cuda: " + cudaError);
  if (!called)
    return false;

  llvm::outs() << "cuda: " << cuda::deviceDescription() << ", " << opts.chip
               << "; results against the CPU's:\n";
  bool allPass = true;
  for (size_t i = 0; i < cpuResults.size(); ++i)
    allPass &= compare(i, results.arrays[i], cpuResults[i], opts);
  if (!allPass)
    return error("--device=cuda: the GPU results differ from the CPU's");
  return true;
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

namespace calib_run = ::lowbit::runtime;

/// The module attribute lowbit-lower-to-linalg{calibrate=true} writes.
static constexpr llvm::StringLiteral kObserversAttr = "lowbit.observers";

/// Registers one runtime observer per entry of `lowbit.observers` (index
/// order) and returns their ids; false with an error on a malformed entry.
static bool registerObservers(ModuleOp module, const Options &opts,
                              std::vector<std::string> &ids) {
  auto list = module->getAttrOfType<ArrayAttr>(kObserversAttr);
  if (!list || list.empty())
    return error(quote(opts.model) +
                 " has no lowbit.observe ops to calibrate; instrument it "
                 "first with lowbit-opt --lowbit-insert-observers");
  calib_run::ObserverRegistry &registry = calib_run::ObserverRegistry::global();
  registry.reset();
  for (auto [i, attr] : llvm::enumerate(list)) {
    auto dict = dyn_cast<DictionaryAttr>(attr);
    auto id = dict ? dict.getAs<StringAttr>("id") : nullptr;
    auto stats = dict ? dict.getAs<ArrayAttr>("stats") : nullptr;
    auto bins = dict ? dict.getAs<IntegerAttr>("bins") : nullptr;
    auto axis = dict ? dict.getAs<IntegerAttr>("channel_axis") : nullptr;
    if (!id || !stats || !bins || !axis)
      return error("entry " + llvm::Twine(i) + " of " + kObserversAttr +
                   " in " + quote(opts.model) +
                   " needs id, stats, bins and channel_axis");
    calib_run::ObserverConfig config;
    config.id = id.getValue().str();
    config.bins = bins.getInt();
    config.channelAxis = axis.getInt();
    for (Attribute stat : stats) {
      auto name = dyn_cast<StringAttr>(stat);
      if (!name || !config.enable(name.getValue().str()))
        return error("observer '" + config.id + "' in " + quote(opts.model) +
                     " asks for an unknown statistic " + str(stat));
    }
    ids.push_back(config.id);
    registry.add(std::move(config));
  }
  // Nothing downstream translates it.
  module->removeAttr(kObserversAttr);
  return true;
}

/// The model fingerprint: FNV-1a (64 bit) over each observer id followed by
/// '\n', then "--\n", then each argument type of the entry (as MLIR prints
/// it, e.g. "tensor<4x64xf32>") followed by '\n'; written "fnv1a64:<16 hex
/// digits>".
static std::string fingerprint(const std::vector<std::string> &ids,
                               const Signature &sig) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto feed = [&](llvm::StringRef text) {
    for (unsigned char c : text) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
  };
  for (const std::string &id : ids) {
    feed(id);
    feed("\n");
  }
  feed("--\n");
  for (const TensorSig &arg : sig.args) {
    feed(arg.type);
    feed("\n");
  }
  return str(llvm::format("fnv1a64:%016llx", (unsigned long long)hash));
}

/// The .npy files of each sample in `dir`, in sample order: for every
/// subdirectory (sorted by name) its input_0.npy .. input_<n-1>.npy; or,
/// when `dir` has no subdirectory and the entry takes one argument, every
/// `*.npy` file sorted by name.
static bool listSamples(llvm::StringRef dir, size_t numArgs,
                        std::vector<std::vector<std::string>> &samples) {
  std::string message;
  if (!::lowbit::io::listSampleDir(dir.str(), numArgs, "--calibrate", samples,
                                   message))
    return error(message);
  return true;
}

/// Prints "calibrated 12/32 samples, 85.3 samples/s, ETA 0.2 s" to stderr:
/// in place on a terminal, otherwise at most once a second and at the end.
namespace {
class Progress {
public:
  explicit Progress(size_t total)
      : total(total), start(std::chrono::steady_clock::now()), lastPrint(start),
        tty(llvm::errs().is_displayed()) {}

  void update(size_t done) {
    auto now = std::chrono::steady_clock::now();
    bool last = done == total;
    if (!tty && !last && now - lastPrint < std::chrono::seconds(1))
      return;
    lastPrint = now;
    double seconds = std::chrono::duration<double>(now - start).count();
    double rate = seconds > 0 ? double(done) / seconds : 0.0;
    double eta = rate > 0 ? double(total - done) / rate : 0.0;
    llvm::errs() << (tty ? "\r" : "") << "calibrated " << done << "/" << total
                 << " samples, " << llvm::format("%.1f", rate)
                 << " samples/s, ETA " << llvm::format("%.1f", eta) << " s"
                 << (tty && !last ? "" : "\n");
  }

private:
  size_t total;
  std::chrono::steady_clock::time_point start, lastPrint;
  bool tty;
};
} // namespace

/// Writes the statistics JSON (and the Gram side file) through temporary
/// files renamed into place at the end, so a failure leaves neither.
static bool writeStats(const Options &opts, const std::string &model,
                       size_t numSamples) {
  calib_run::ObserverRegistry &registry = calib_run::ObserverRegistry::global();
  std::vector<calib_run::ObserverStats> all;
  bool anyGram = false;
  for (size_t i = 0; i < registry.size(); ++i) {
    all.push_back(registry.get(int64_t(i))->snapshot());
    anyGram |= all.back().gram.has_value();
  }
  std::string statsPath = opts.stats;
  std::string gramPath = statsPath + ".gram.bin";

  auto makeTemp =
      [&](const std::string &path) -> std::optional<llvm::sys::fs::TempFile> {
    auto temp = llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%");
    if (!temp) {
      error("cannot write " + quote(path) + ": " +
            llvm::toString(temp.takeError()));
      return std::nullopt;
    }
    return std::move(*temp);
  };
  std::optional<llvm::sys::fs::TempFile> jsonTemp = makeTemp(statsPath);
  if (!jsonTemp)
    return false;
  std::optional<llvm::sys::fs::TempFile> gramTemp;
  auto discardAll = [&] {
    llvm::consumeError(jsonTemp->discard());
    if (gramTemp)
      llvm::consumeError(gramTemp->discard());
    return false;
  };
  if (anyGram && !(gramTemp = makeTemp(gramPath)))
    return discardAll();

  // Gram side file (layout in docs/tools/lowbit-run.md):
  //   "LBGRAM\0\0" | u32 version = 1 | u32 count | u64 fingerprint hash
  //   then per matrix: u32 id length | id bytes | u64 channels | u64 rows |
  //   f64 X^T X[channels][channels], row-major; all little-endian.
  std::vector<int64_t> gramIndex(all.size(), -1);
  if (gramTemp) {
    llvm::raw_fd_ostream os(gramTemp->FD, /*shouldClose=*/false);
    auto put = [&](const void *p, size_t n) {
      os.write(static_cast<const char *>(p), n);
    };
    uint32_t version = 1, count = 0;
    for (const calib_run::ObserverStats &st : all)
      count += st.gram ? 1 : 0;
    uint64_t hash = std::strtoull(model.c_str() + 8, nullptr, 16);
    put("LBGRAM\0\0", 8);
    put(&version, 4);
    put(&count, 4);
    put(&hash, 8);
    int64_t next = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!all[i].gram)
        continue;
      gramIndex[i] = next++;
      const std::string &id = registry.get(int64_t(i))->config().id;
      uint32_t length = uint32_t(id.size());
      uint64_t channels = all[i].gram->channels(), rows = all[i].gram->rows();
      put(&length, 4);
      put(id.data(), id.size());
      put(&channels, 8);
      put(&rows, 8);
      const std::vector<double> &m = all[i].gram->matrix();
      put(m.data(), m.size() * sizeof(double));
    }
    os.flush();
    if (os.has_error()) {
      error("cannot write " + quote(gramPath) + ": " + os.error().message());
      os.clear_error();
      return discardAll();
    }
  }

  {
    llvm::raw_fd_ostream os(jsonTemp->FD, /*shouldClose=*/false);
    llvm::json::OStream json(os, /*IndentSize=*/2);
    json.object([&] {
      json.attribute("version", 1);
      json.attribute("model", model);
      json.attribute("entry", opts.entry.getValue());
      json.attribute("samples", int64_t(numSamples));
      json.attributeObject("activations", [&] {
        for (size_t i = 0; i < all.size(); ++i) {
          const calib_run::ObserverStats &st = all[i];
          const calib_run::ObserverConfig &cfg =
              registry.get(int64_t(i))->config();
          json.attributeObject(cfg.id, [&] {
            // min/max at the top level are what static quantization reads:
            // the exact range when gathered, else the histogram's data range.
            if (st.minMax && !st.minMax->empty()) {
              json.attribute("min", st.minMax->min());
              json.attribute("max", st.minMax->max());
            } else if (st.histogram && st.histogram->total() > 0) {
              json.attribute("min", st.histogram->dataMin());
              json.attribute("max", st.histogram->dataMax());
            }
            json.attribute("calls", int64_t(st.calls));
            if (st.minMax) {
              json.attribute("count", int64_t(st.minMax->count()));
              json.attribute("non_finite", int64_t(st.minMax->nonFinite()));
            }
            if (st.movingAverageMinMax && st.movingAverageMinMax->batches())
              json.attributeObject("moving_average_min_max", [&] {
                json.attribute("min", st.movingAverageMinMax->min());
                json.attribute("max", st.movingAverageMinMax->max());
                json.attribute("momentum", st.movingAverageMinMax->momentum());
                json.attribute("batches",
                               int64_t(st.movingAverageMinMax->batches()));
              });
            if (st.histogram)
              json.attributeObject("histogram", [&] {
                json.attribute("lo", st.histogram->lo());
                json.attribute("hi", st.histogram->hi());
                json.attribute("bins", st.histogram->bins());
                json.attribute("total", int64_t(st.histogram->total()));
                json.attributeArray("counts", [&] {
                  for (uint64_t c : st.histogram->counts())
                    json.value(int64_t(c));
                });
              });
            if (st.channelAbsMax)
              json.attributeArray("channel_abs_max", [&] {
                for (float v : st.channelAbsMax->values())
                  json.value(double(v));
              });
            if (st.gram)
              json.attributeObject("gram", [&] {
                json.attribute("file",
                               llvm::sys::path::filename(gramPath).str());
                json.attribute("index", gramIndex[i]);
                json.attribute("channels", int64_t(st.gram->channels()));
                json.attribute("rows", int64_t(st.gram->rows()));
              });
          });
        }
      });
    });
    os << "\n";
    os.flush();
    if (os.has_error()) {
      error("cannot write " + quote(statsPath) + ": " + os.error().message());
      os.clear_error();
      return discardAll();
    }
  }

  if (gramTemp) {
    if (llvm::Error err = gramTemp->keep(gramPath)) {
      error("cannot write " + quote(gramPath) + ": " +
            llvm::toString(std::move(err)));
      gramTemp.reset();
      llvm::consumeError(jsonTemp->discard());
      return false;
    }
  }
  if (llvm::Error err = jsonTemp->keep(statsPath)) {
    error("cannot write " + quote(statsPath) + ": " +
          llvm::toString(std::move(err)));
    if (gramTemp)
      llvm::sys::fs::remove(gramPath);
    return false;
  }
  return true;
}

static bool calibrate(ModuleOp module, const Signature &sig,
                      const Options &opts) {
  std::vector<std::string> ids;
  if (!registerObservers(module, opts, ids))
    return false;
  std::string model = fingerprint(ids, sig);

  std::vector<std::vector<std::string>> samples;
  if (!listSamples(opts.calibrate, sig.args.size(), samples))
    return false;

  // Fail on an unwritable --stats before running anything.
  {
    auto probe = llvm::sys::fs::TempFile::create(opts.stats + ".tmp-%%%%%%");
    if (!probe)
      return error("cannot write --stats " + quote(opts.stats) + ": " +
                   llvm::toString(probe.takeError()));
    llvm::consumeError(probe->discard());
  }

  std::unique_ptr<ExecutionEngine> engine = createEngine(module, opts);
  if (!engine)
    return false;
  engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("lowbit_observe_f32")] = {
        llvm::orc::ExecutorAddr::fromPtr(&lowbit_observe_f32),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });

  calib_run::ObserverRegistry &registry = calib_run::ObserverRegistry::global();
  Progress progress(samples.size());
  for (auto [n, files] : llvm::enumerate(samples)) {
    std::vector<NpyArray> inputs(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      std::string message;
      if (!::lowbit::io::readNpy(files[i], inputs[i], message))
        return error("sample " + quote(files[i]) + ": " +
                     withoutPath(message, files[i]));
      if (!matches(sig.args[i], inputs[i]))
        return error("sample " + quote(files[i]) + ": argument " +
                     llvm::Twine(i) + " of @" + opts.entry + " is " +
                     sig.args[i].type + ", got " + describe(inputs[i]));
    }
    std::vector<ArgBuffer> args(files.size());
    for (size_t i = 0; i < files.size(); ++i)
      makeArg(inputs[i], args[i], sig.args[i].bf16);
    Invoker invoker(*engine, "_mlir_ciface_" + opts.entry, sig, args);
    // prepare() runs the initializers once; later invokers only look up.
    if (!invoker.prepare())
      return false;
    if (!invoker.call(nullptr))
      return false;
    progress.update(n + 1);
  }
  if (uint64_t unknown = registry.unknownCalls())
    return error("the model called lowbit_observe_f32 " + llvm::Twine(unknown) +
                 " time(s) with an observer index it does not declare");
  for (size_t i = 0; i < registry.size(); ++i)
    if (registry.get(int64_t(i))->snapshot().calls == 0)
      llvm::WithColor::warning(llvm::errs(), "lowbit-run")
          << "observer '" << ids[i] << "' saw no data\n";
  if (!writeStats(opts, model, samples.size()))
    return false;
  llvm::outs() << "calibrated " << samples.size() << " samples, " << ids.size()
               << " observers -> " << opts.stats << "\n";
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  registerAllPasses();
  mlir::lowbit::registerAllLowbitPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();

  // --stats=FILE / --stats FILE is --stats-file (see Options::stats), and
  // --threads is --kernel-threads (see CPUTargetCommandLine).
  std::vector<std::string> renamed(argv, argv + argc);
  mlir::lowbit::renameOptionArgument(renamed, "stats", "stats-file");
  mlir::lowbit::renameOptionArgument(renamed, "threads", "kernel-threads");
  std::vector<const char *> args;
  for (const std::string &arg : renamed)
    args.push_back(arg.c_str());

  Options opts;
  cl::HideUnrelatedOptions(opts.category);
  cl::ParseCommandLineOptions(
      int(args.size()), args.data(),
      "lowbit-run: compile a tensor-level function with lowbit-lower-to-cpu, "
      "run it on .npy inputs and write, check or time its results\n\n"
      "  lowbit-run MODEL.mlir [--entry=main] [--input=FILE.npy]... "
      "[--output=FILE.npy]... [--output-dir=DIR]\n"
      "             [--expected=FILE.npy]... [--rtol=R] [--atol=A] "
      "[--benchmark=N] [--opt-level=0..3] [--dump-llvm]\n"
      "  lowbit-run MODEL.mlir --calibrate=DIR --stats=FILE [--entry=main]\n\n"
      "MLIR's debugging options (--mlir-print-ir-after-all, ...) are listed "
      "by --help-hidden.\n");
  return run(opts) ? EXIT_SUCCESS : EXIT_FAILURE;
}
