//===- lowbit-compile.cpp - Compile a model to an object file and header --===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Ahead-of-time counterpart of lowbit-run: lowers one function of a
// tensor-level module with lowbit-lower-to-cpu, optimizes the LLVM IR and
// writes a relocatable object plus a C header, so that an application links
// the model without MLIR at run time:
//
//   lowbit-compile model.mlir --name=model -o model.o --header=model.h
//   cc app.c model.o -lm
//
// The object exports exactly one symbol, the plain C entry point
//
//   int <name>_<entry>(const <name>_f32_2d *arg0, ..., <name>_f32_2d *result0)
//
// built here in LLVM IR around `_mlir_ciface_<entry>` (see
// docs/tools/lowbit-run.md for that calling convention): it checks the
// argument descriptors against the static shape, calls the C interface with
// a local results buffer and copies each result descriptor out. Every other
// definition becomes internal, so several models (different --name) link
// into one program. memrefCopy, which convert-memref-to-llvm calls for
// strided copies, is linked in from a small LLVM IR implementation, so the
// object needs only libc (malloc, free, memcpy, ...) and libm.
//
// The entry preparation (llvm.emit_c_interface, read-only arguments) repeats
// lowbit-run's, a few lines, rather than moving it out of lowbit-run.
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"
#include "lowbit/Tools/CPULowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdlib>

using namespace mlir;

namespace cl = llvm::cl;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

namespace {

/// The command line. Constructed in main() so no option is a global.
struct Options {
  cl::OptionCategory category{"lowbit-compile options"};
  cl::opt<std::string> model{cl::Positional, cl::Required,
                             cl::desc("<model.mlir|model.mlirbc>"),
                             cl::cat(category)};
  cl::opt<std::string> entry{"entry", cl::desc("Function to compile"),
                             cl::value_desc("name"), cl::init("main"),
                             cl::cat(category)};
  cl::opt<std::string> name{
      "name",
      cl::desc("Prefix of every generated C name: the entry point is "
               "<name>_<entry>, the types <name>_<elem>_<rank>d"),
      cl::value_desc("identifier"), cl::init("model"), cl::cat(category)};
  cl::opt<std::string> output{"o", cl::Required,
                              cl::desc("Relocatable object file to write"),
                              cl::value_desc("OUT.o"), cl::cat(category)};
  cl::opt<std::string> header{
      "header", cl::desc("C header to write (default: OUT with suffix .h)"),
      cl::value_desc("OUT.h"), cl::cat(category)};
  mlir::lowbit::CPUTargetCommandLine cpu{category, /*hostOnly=*/false};
  cl::opt<unsigned> optLevel{"opt-level",
                             cl::desc("LLVM optimization level, 0 to 3"),
                             cl::init(2), cl::cat(category)};
};

} // namespace

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

/// Prints "lowbit-compile: error: <message>" and returns false, so callers
/// can `return error(...)`.
static bool error(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "lowbit-compile") << message << "\n";
  return false;
}

static std::string quote(llvm::StringRef path) {
  return ("'" + path + "'").str();
}

template <typename T> static std::string str(const T &value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << value;
  return s;
}

//===----------------------------------------------------------------------===//
// Signature
//===----------------------------------------------------------------------===//

namespace {

/// One ranked-tensor argument or result of the entry, as C sees it.
struct TensorSig {
  /// The MLIR type, e.g. "tensor<?x8xf32>".
  std::string type;
  /// C element type ("float") and the short name used in struct names
  /// ("f32").
  std::string cType, shortName;
  /// Sizes; ShapedType::kDynamic for dynamic dimensions.
  llvm::SmallVector<int64_t> dims;
  /// The `onnx.name` argument or result attribute, if any.
  std::string onnxName;

  /// Name of the descriptor struct, without the model prefix: "f32_2d".
  std::string structSuffix() const {
    return shortName + "_" + std::to_string(dims.size()) + "d";
  }
  /// Size of the descriptor in 8-byte words.
  unsigned words() const { return 3 + 2 * dims.size(); }
};

struct Signature {
  std::vector<TensorSig> args, results;
};

} // namespace

/// The C type of a memref element. i1 is stored one byte per element.
static bool toCType(Type type, TensorSig &sig) {
  auto set = [&](const char *c, const char *s) {
    sig.cType = c;
    sig.shortName = s;
    return true;
  };
  if (type.isF16())
    return set("uint16_t", "f16");
  if (type.isBF16())
    return set("uint16_t", "bf16");
  if (type.isF32())
    return set("float", "f32");
  if (type.isF64())
    return set("double", "f64");
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return false;
  bool isUnsigned = intType.isUnsigned();
  switch (intType.getWidth()) {
  case 1:
    return set("uint8_t", "i1");
  case 8:
    return isUnsigned ? set("uint8_t", "u8") : set("int8_t", "i8");
  case 16:
    return isUnsigned ? set("uint16_t", "u16") : set("int16_t", "i16");
  case 32:
    return isUnsigned ? set("uint32_t", "u32") : set("int32_t", "i32");
  case 64:
    return isUnsigned ? set("uint64_t", "u64") : set("int64_t", "i64");
  default:
    return false;
  }
}

static bool readTypes(TypeRange types, ArrayAttr attrs, llvm::StringRef kind,
                      llvm::StringRef function, std::vector<TensorSig> &out) {
  for (auto [i, type] : llvm::enumerate(types)) {
    TensorSig sig;
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || tensorType.getEncoding() ||
        !toCType(tensorType.getElementType(), sig))
      return error(kind + " " + llvm::Twine(i) + " of @" + function +
                   " has type " + str(type) +
                   "; lowbit-compile supports ranked tensors (without "
                   "encoding) of f16, bf16, f32, f64, i1 and 8 to 64-bit "
                   "integers");
    sig.type = str(type);
    sig.dims.assign(tensorType.getShape().begin(), tensorType.getShape().end());
    if (attrs && i < attrs.size())
      if (auto dict = dyn_cast_or_null<DictionaryAttr>(attrs[i]))
        if (auto onnxName = dict.getAs<StringAttr>("onnx.name"))
          sig.onnxName = onnxName.getValue().str();
    out.push_back(std::move(sig));
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Lowering (as lowbit-run)
//===----------------------------------------------------------------------===//

/// Lowers the module to the LLVM dialect as lowbit-run does (see
/// lowerEntryModuleToCPU) and names any op left untranslatable.
static bool lowerModule(ModuleOp module, func::FuncOp func,
                        const Options &opts) {
  std::string lowerError = mlir::lowbit::lowerEntryModuleToCPU(
      module, func, /*calibrate=*/false, opts.cpu.target, opts.cpu.numThreads);
  if (!lowerError.empty())
    return error("lowering " + quote(opts.model) + ": " + lowerError);
  if (Operation *leftover = mlir::lowbit::findUntranslatableOp(module))
    return error("lowbit-lower-to-cpu left '" +
                 leftover->getName().getStringRef() + "' at " +
                 str(leftover->getLoc()) + " in " + quote(opts.model) +
                 "; it cannot be translated to LLVM IR");
  return true;
}

//===----------------------------------------------------------------------===//
// LLVM IR: the C entry point and memrefCopy
//===----------------------------------------------------------------------===//

/// `int <name>_<entry>(ptr arg0, ..., ptr result0, ...)`: returns 1 without
/// calling anything when an argument's offset, a static size, or a stride
/// the static shape fixes differs from what the compiled code assumes;
/// otherwise calls `_mlir_ciface_<entry>` and copies the result descriptors
/// out, returning 0.
static bool buildEntryPoint(llvm::Module &module, const Signature &sig,
                            llvm::StringRef ciface, llvm::StringRef cName) {
  llvm::Function *callee = module.getFunction(ciface);
  if (!callee || callee->isDeclaration())
    return error("the lowered module has no @" + ciface);
  if (module.getNamedValue(cName))
    return error("the model already defines a symbol named " + cName +
                 "; choose another --name");
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::SmallVector<llvm::Type *> params(sig.args.size() + sig.results.size(),
                                         ptr);
  auto *fnType =
      llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), params, false);
  auto *fn = llvm::Function::Create(fnType, llvm::GlobalValue::ExternalLinkage,
                                    cName, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *call = llvm::BasicBlock::Create(ctx, "call", fn);
  auto *bad = llvm::BasicBlock::Create(ctx, "bad", fn);
  llvm::IRBuilder<> b(entry);

  auto field = [&](llvm::Value *desc, unsigned word) {
    llvm::Value *p =
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), desc, 8 * word);
    return b.CreateAlignedLoad(i64, p, llvm::Align(8));
  };
  llvm::Value *mismatch = b.getFalse();
  auto expect = [&](llvm::Value *v, int64_t want) {
    mismatch = b.CreateOr(mismatch, b.CreateICmpNE(v, b.getInt64(want)));
  };
  for (auto [i, arg] : llvm::enumerate(sig.args)) {
    llvm::Value *desc = fn->getArg(i);
    size_t rank = arg.dims.size();
    expect(field(desc, 2), 0);
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      if (!ShapedType::isDynamic(arg.dims[d]))
        expect(field(desc, 3 + d), arg.dims[d]);
      // Strides are fixed by the shape up to the first dynamic size from
      // the right; size-1 dimensions may have any stride.
      if (stride >= 0 && arg.dims[d] != 1)
        expect(field(desc, 3 + rank + d), stride);
      stride = ShapedType::isDynamic(arg.dims[d]) || stride < 0
                   ? -1
                   : stride * arg.dims[d];
    }
  }
  b.CreateCondBr(mismatch, bad, call);

  b.SetInsertPoint(bad);
  b.CreateRet(b.getInt32(1));

  b.SetInsertPoint(call);
  unsigned words = 0;
  for (const TensorSig &r : sig.results)
    words += r.words();
  llvm::SmallVector<llvm::Value *> callArgs;
  llvm::Value *results = nullptr;
  if (!sig.results.empty()) {
    results = b.CreateAlloca(llvm::ArrayType::get(i64, words));
    cast<llvm::AllocaInst>(results)->setAlignment(llvm::Align(8));
    callArgs.push_back(results);
  }
  for (size_t i = 0; i < sig.args.size(); ++i)
    callArgs.push_back(fn->getArg(i));
  if (callee->arg_size() != callArgs.size())
    return error("@" + ciface + " takes " + llvm::Twine(callee->arg_size()) +
                 " parameters, expected " + llvm::Twine(callArgs.size()));
  b.CreateCall(callee, callArgs);
  unsigned word = 0;
  for (auto [i, r] : llvm::enumerate(sig.results)) {
    llvm::Value *src =
        b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), results, 8 * word);
    b.CreateMemCpy(fn->getArg(sig.args.size() + i), llvm::Align(8), src,
                   llvm::Align(8), 8 * r.words());
    word += r.words();
  }
  b.CreateRet(b.getInt32(0));
  return true;
}

/// memrefCopy(elemSize, UnrankedMemRef *src, UnrankedMemRef *dst) as in
/// MLIR's c_runner_utils: an unranked memref is {i64 rank, ptr descriptor}
/// and a descriptor {allocated, aligned, offset, sizes[rank],
/// strides[rank]}. Copies element by element in row-major order of the
/// (equal) sizes; simple rather than fast, it only serves strided copies.
static const char *const kMemrefCopyIR = R"(
define void @memrefCopy(i64 %es, ptr %src, ptr %dst) {
entry:
  %rank = load i64, ptr %src, align 8
  %sdp = getelementptr inbounds i8, ptr %src, i64 8
  %sd = load ptr, ptr %sdp, align 8
  %ddp = getelementptr inbounds i8, ptr %dst, i64 8
  %dd = load ptr, ptr %ddp, align 8
  %sap = getelementptr inbounds i8, ptr %sd, i64 8
  %sa = load ptr, ptr %sap, align 8
  %dap = getelementptr inbounds i8, ptr %dd, i64 8
  %da = load ptr, ptr %dap, align 8
  %sop = getelementptr inbounds i8, ptr %sd, i64 16
  %so = load i64, ptr %sop, align 8
  %dop = getelementptr inbounds i8, ptr %dd, i64 16
  %do = load i64, ptr %dop, align 8
  %ssz = getelementptr inbounds i8, ptr %sd, i64 24
  %sst = getelementptr inbounds i64, ptr %ssz, i64 %rank
  %dsz = getelementptr inbounds i8, ptr %dd, i64 24
  %dst.st = getelementptr inbounds i64, ptr %dsz, i64 %rank
  br label %count
count:
  %c = phi i64 [ 0, %entry ], [ %c1, %count.body ]
  %n = phi i64 [ 1, %entry ], [ %n1, %count.body ]
  %cmore = icmp slt i64 %c, %rank
  br i1 %cmore, label %count.body, label %elem
count.body:
  %cszp = getelementptr inbounds i64, ptr %ssz, i64 %c
  %csz = load i64, ptr %cszp, align 8
  %n1 = mul i64 %n, %csz
  %c1 = add i64 %c, 1
  br label %count
elem:
  %i = phi i64 [ 0, %count ], [ %i1, %move ]
  %emore = icmp slt i64 %i, %n
  br i1 %emore, label %dim, label %exit
dim:
  %k = phi i64 [ %rank, %elem ], [ %km1, %dim.body ]
  %rem = phi i64 [ %i, %elem ], [ %rem1, %dim.body ]
  %soff = phi i64 [ %so, %elem ], [ %soff1, %dim.body ]
  %doff = phi i64 [ %do, %elem ], [ %doff1, %dim.body ]
  %kmore = icmp sgt i64 %k, 0
  br i1 %kmore, label %dim.body, label %move
dim.body:
  %km1 = sub i64 %k, 1
  %szp = getelementptr inbounds i64, ptr %ssz, i64 %km1
  %sz = load i64, ptr %szp, align 8
  %idx = urem i64 %rem, %sz
  %rem1 = udiv i64 %rem, %sz
  %sstp = getelementptr inbounds i64, ptr %sst, i64 %km1
  %sstv = load i64, ptr %sstp, align 8
  %dstp = getelementptr inbounds i64, ptr %dst.st, i64 %km1
  %dstv = load i64, ptr %dstp, align 8
  %t1 = mul i64 %idx, %sstv
  %soff1 = add i64 %soff, %t1
  %t2 = mul i64 %idx, %dstv
  %doff1 = add i64 %doff, %t2
  br label %dim
move:
  %sb = mul i64 %soff, %es
  %db = mul i64 %doff, %es
  %sp = getelementptr i8, ptr %sa, i64 %sb
  %dp = getelementptr i8, ptr %da, i64 %db
  call void @llvm.memmove.p0.p0.i64(ptr %dp, ptr %sp, i64 %es, i1 false)
  %i1 = add i64 %i, 1
  br label %elem
exit:
  ret void
}
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
)";

/// Links kMemrefCopyIR into `module` when the lowered code calls memrefCopy.
static bool linkMemrefCopy(llvm::Module &module) {
  llvm::Function *decl = module.getFunction("memrefCopy");
  if (!decl || !decl->isDeclaration())
    return true;
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> impl =
      llvm::parseAssemblyString(kMemrefCopyIR, diag, module.getContext());
  if (!impl)
    return error("internal error: memrefCopy IR: " + diag.getMessage());
  impl->setDataLayout(module.getDataLayout());
  impl->setTargetTriple(module.getTargetTriple());
  if (llvm::Linker::linkModules(module, std::move(impl)))
    return error("internal error: cannot link memrefCopy");
  return true;
}

/// Makes every definition but `keep` internal, so that several compiled
/// models link into one program and unused code is dropped.
static void internalize(llvm::Module &module, llvm::StringRef keep) {
  for (llvm::GlobalValue &gv : module.global_values()) {
    if (gv.isDeclaration() || gv.getName() == keep ||
        gv.getName().starts_with("llvm.") || gv.hasAppendingLinkage())
      continue;
    gv.setLinkage(llvm::GlobalValue::InternalLinkage);
    gv.setVisibility(llvm::GlobalValue::DefaultVisibility);
  }
}

//===----------------------------------------------------------------------===//
// Target
//===----------------------------------------------------------------------===//

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const Options &opts) {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error("cannot target " + triple.str() + ": " + lookupError);
    return nullptr;
  }
  const std::string &cpu = opts.cpu.target.cpu,
                    &features = opts.cpu.target.features;
  llvm::CodeGenOptLevel level = llvm::CodeGenOptLevel::Default;
  switch (opts.optLevel) {
  case 0:
    level = llvm::CodeGenOptLevel::None;
    break;
  case 1:
    level = llvm::CodeGenOptLevel::Less;
    break;
  case 3:
    level = llvm::CodeGenOptLevel::Aggressive;
    break;
  default:
    break;
  }
  // PIC, so the object links into position-independent executables (the
  // default of most distributions' compilers) and shared libraries.
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(triple, cpu, features, llvm::TargetOptions(),
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    error("cannot create a target machine for " + triple.str() + " (" + cpu +
          ")");
  return tm;
}

//===----------------------------------------------------------------------===//
// Header
//===----------------------------------------------------------------------===//

static std::string shapeString(const TensorSig &sig) {
  std::string s = "[";
  for (auto [d, size] : llvm::enumerate(sig.dims))
    s += (d ? ", " : "") + (ShapedType::isDynamic(size) ? std::string("?")
                                                        : std::to_string(size));
  return s + "]";
}

static std::string describeTensor(const TensorSig &sig) {
  std::string s = sig.type + ": " + sig.cType + ", shape " + shapeString(sig);
  if (!sig.onnxName.empty())
    s += ", ONNX name \"" + sig.onnxName + "\"";
  return s;
}

/// Characters that would end a C comment or need escaping are replaced.
static std::string commentSafe(std::string s) {
  for (size_t i = 0; (i = s.find("*/", i)) != std::string::npos;)
    s.replace(i, 2, "* /");
  for (char &c : s)
    if (c == '\n' || c == '\r')
      c = ' ';
  return s;
}

static std::string generateHeader(const Signature &sig, const Options &opts,
                                  llvm::StringRef cName,
                                  llvm::StringRef cpuDescription) {
  std::string prefix = opts.name;
  std::string guard = "LOWBIT_" + llvm::StringRef(prefix).upper() + "_H";
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* "
     << llvm::sys::path::filename(opts.header.empty()
                                      ? llvm::StringRef(opts.output)
                                      : llvm::StringRef(opts.header))
     << " - generated by lowbit-compile; do not edit.\n"
     << " *\n"
     << " * Model:  "
     << commentSafe(llvm::sys::path::filename(opts.model).str())
     << ", function @" << commentSafe(opts.entry) << "\n"
     << " * Target: " << cpuDescription << ", LLVM -O" << opts.optLevel << "\n"
     << " *\n"
     << " * Link:   cc app.c " << llvm::sys::path::filename(opts.output)
     << " -lm\n"
     << " * The object needs only the C library (malloc, free, memcpy, ...)\n"
     << " * and libm; it exports " << cName << " and nothing else.\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n#include <stdlib.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  // One struct per (element type, rank) in use.
  os << "/* Memref descriptors, one per element type and rank used. An\n"
        " * argument must describe a dense row-major array: allocated and\n"
        " * aligned both point to the data (allocated is not freed by the\n"
        " * model), offset 0, sizes[] the shape, strides[] the row-major\n"
        " * strides in elements (strides[rank-1] = 1). Results come back\n"
        " * in the same form. */\n";
  std::vector<std::string> seen;
  for (const std::vector<TensorSig> *list : {&sig.args, &sig.results})
    for (const TensorSig &t : *list) {
      std::string suffix = t.structSuffix();
      if (llvm::is_contained(seen, suffix))
        continue;
      seen.push_back(suffix);
      os << "typedef struct {\n"
         << "  " << t.cType << " *allocated;\n"
         << "  " << t.cType << " *aligned;\n"
         << "  int64_t offset;\n";
      if (!t.dims.empty())
        os << "  int64_t sizes[" << t.dims.size() << "];\n"
           << "  int64_t strides[" << t.dims.size() << "];\n";
      os << "} " << prefix << "_" << suffix << ";\n\n";
    }

  // The entry point.
  os << "/* " << cName << ": runs @" << commentSafe(opts.entry) << ".\n"
     << " *\n";
  if (sig.args.empty())
    os << " * No arguments.\n";
  for (auto [i, a] : llvm::enumerate(sig.args))
    os << " *   arg" << i << " (input " << i
       << "): " << commentSafe(describeTensor(a)) << "\n";
  if (sig.results.empty())
    os << " * No results.\n";
  for (auto [i, r] : llvm::enumerate(sig.results))
    os << " *   result" << i << " (output " << i
       << "): " << commentSafe(describeTensor(r)) << "\n";
  os << " *\n"
     << " * Arguments are only read. Each result descriptor is filled in\n"
     << " * with a buffer the model allocated with malloc: the caller owns\n"
     << " * it and releases it with " << prefix
     << "_free_result (or free(result.allocated)).\n"
     << " * Returns 0 on success, 1 when an argument's offset, a static\n"
     << " * size or a stride that the shape fixes differs from the above\n"
     << " * (nothing is run or allocated then). The model keeps no global\n"
     << " * state: concurrent calls from several threads are fine.\n"
     << " */\n"
     << "int " << cName << "(";
  bool first = true;
  for (auto [i, a] : llvm::enumerate(sig.args)) {
    os << (first ? "" : ", ") << "const " << prefix << "_" << a.structSuffix()
       << " *arg" << i;
    first = false;
  }
  for (auto [i, r] : llvm::enumerate(sig.results)) {
    os << (first ? "" : ", ") << prefix << "_" << r.structSuffix() << " *result"
       << i;
    first = false;
  }
  if (first)
    os << "void";
  os << ");\n\n";

  os << "/* " << prefix << "_free_result: frees the buffer of a result\n"
     << " * descriptor filled in by " << cName
     << " (any of the types above) and\n"
     << " * clears its pointers; NULL and cleared descriptors are ignored. */\n"
     << "static inline void " << prefix << "_free_result(void *result) {\n"
     << "  void **pointers = (void **)result;\n"
     << "  if (!pointers)\n    return;\n"
     << "  free(pointers[0]);\n"
     << "  pointers[0] = NULL;\n"
     << "  pointers[1] = NULL;\n"
     << "}\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n"
     << "#endif /* " << guard << " */\n";
  return out;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || !(llvm::isAlpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

static bool checkOptions(Options &opts) {
  if (opts.optLevel > 3)
    return error("--opt-level must be 0, 1, 2 or 3, got " +
                 llvm::Twine(opts.optLevel.getValue()));
  if (!isCIdentifier(opts.name))
    return error("--name '" + opts.name + "' is not a C identifier");
  if (!isCIdentifier(opts.entry))
    return error("--entry '" + opts.entry +
                 "' is not a C identifier, so it cannot name a C function");
  if (opts.header.empty()) {
    llvm::SmallString<256> header(opts.output.getValue());
    llvm::sys::path::replace_extension(header, ".h");
    opts.header = header.str().str();
  }
  if (opts.header == opts.output)
    return error("--header and -o name the same file " + quote(opts.output));
  std::string targetError;
  if (!opts.cpu.resolve(targetError))
    return error(targetError);
  return true;
}

/// Writes `data` to `path` through a temporary file renamed into place.
static bool writeFile(llvm::StringRef path, llvm::StringRef data) {
  if (llvm::Error err =
          llvm::writeToOutput(path, [&](llvm::raw_ostream &os) -> llvm::Error {
            os << data;
            return llvm::Error::success();
          }))
    return error("cannot write " + quote(path) + ": " +
                 llvm::toString(std::move(err)));
  return true;
}

static bool compile(Options &opts) {
  if (!checkOptions(opts))
    return false;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(opts);
  if (!tm)
    return false;

  DialectRegistry registry;
  mlir::lowbit::registerCPUToolDialects(registry);
  MLIRContext context(registry);

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

  auto func = module->lookupSymbol<func::FuncOp>(opts.entry);
  if (!func)
    return error("no function @" + opts.entry + " in " + quote(opts.model) +
                 "; functions: " + mlir::lowbit::listFunctions(*module) +
                 " (choose one with --entry)");
  if (func.isExternal())
    return error("entry function @" + opts.entry + " in " + quote(opts.model) +
                 " is a declaration without a body");
  Signature sig;
  if (!readTypes(func.getFunctionType().getInputs(), func.getArgAttrsAttr(),
                 "argument", opts.entry, sig.args) ||
      !readTypes(func.getFunctionType().getResults(), func.getResAttrsAttr(),
                 "result", opts.entry, sig.results))
    return false;
  if (!lowerModule(*module, func, opts))
    return false;

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, opts.name);
  if (!llvmModule)
    return error("cannot translate " + quote(opts.model) + " to LLVM IR");
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());

  std::string cName = opts.name + "_" + opts.entry;
  if (!buildEntryPoint(*llvmModule, sig, "_mlir_ciface_" + opts.entry, cName) ||
      !linkMemrefCopy(*llvmModule))
    return false;
  internalize(*llvmModule, cName);
  std::string verifyMessage;
  llvm::raw_string_ostream verifyStream(verifyMessage);
  if (llvm::verifyModule(*llvmModule, &verifyStream))
    return error("internal error: invalid LLVM IR: " + verifyMessage);

  if (llvm::Error err = makeOptimizingTransformer(
          opts.optLevel, /*sizeLevel=*/0, tm.get())(llvmModule.get()))
    return error("optimizing the LLVM IR of " + quote(opts.model) +
                 " failed: " + llvm::toString(std::move(err)));

  // Emit into memory first: nothing is written unless both files are ready.
  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream objectStream(object);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, objectStream, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return error("the target cannot emit object files");
    codegen.run(*llvmModule);
  }
  std::string cpuDescription =
      tm->getTargetTriple().str() + ", CPU " + tm->getTargetCPU().str() +
      (opts.cpu.targetCPU == "native" ? " (native, host features)" : "");
  std::string headerText = generateHeader(sig, opts, cName, cpuDescription);

  if (!writeFile(opts.output, llvm::StringRef(object.data(), object.size())))
    return false;
  if (!writeFile(opts.header, headerText)) {
    llvm::sys::fs::remove(opts.output);
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();

  registerAllPasses();
  mlir::lowbit::registerAllLowbitPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();

  // --threads is --kernel-threads (see CPUTargetCommandLine).
  std::vector<std::string> renamed(argv, argv + argc);
  mlir::lowbit::renameOptionArgument(renamed, "threads", "kernel-threads");
  std::vector<const char *> args;
  for (const std::string &arg : renamed)
    args.push_back(arg.c_str());

  Options opts;
  cl::HideUnrelatedOptions(opts.category);
  cl::ParseCommandLineOptions(
      int(args.size()), args.data(),
      "lowbit-compile: compile a tensor-level function with "
      "lowbit-lower-to-cpu into a relocatable object with a plain C entry "
      "point, and a C header that declares it\n\n"
      "  lowbit-compile MODEL.mlir [--entry=main] [--name=model] -o OUT.o "
      "[--header=OUT.h]\n"
      "                 [--target-cpu=native|x86-64-v3|x86-64-v4|znver4|"
      "znver5|sapphirerapids|...] [--threads=N] [--opt-level=0..3]\n");
  return compile(opts) ? EXIT_SUCCESS : EXIT_FAILURE;
}
