//===- CPULowering.cpp - what lowbit's CPU tools share --------------------===//

#include "lowbit/Tools/CPULowering.h"

#include "lowbit/InitAll.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <memory>
#include <thread>

using namespace mlir;

void mlir::lowbit::registerCPUToolDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllLowbitDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

FailureOr<unsigned> mlir::lowbit::resolveThreads(int value,
                                                 std::string &error) {
  if (value < 0) {
    error = "--threads must be 0 (every hardware thread) or a positive "
            "count, got " +
            std::to_string(value);
    return failure();
  }
  if (value == 0)
    return std::max(1u, std::thread::hardware_concurrency());
  return unsigned(value);
}

mlir::lowbit::CPUTargetCommandLine::CPUTargetCommandLine(
    llvm::cl::OptionCategory &category, bool hostOnly)
    : threads("kernel-threads",
              llvm::cl::desc("Threads of the large kernels (0, the default: "
                             "every hardware thread of the host; above 1 the "
                             "code runs on the OpenMP runtime, libomp); also "
                             "spelled --threads=N"),
              llvm::cl::value_desc("N"), llvm::cl::init(0),
              llvm::cl::cat(category)),
      targetCPU("target-cpu",
                llvm::cl::desc(
                    hostOnly
                        ? "CPU to generate code for: native (the host's name "
                          "and features, default) or an LLVM CPU name such "
                          "as x86-64-v3 (AVX2), x86-64-v4 (AVX-512), znver4, "
                          "znver5, sapphirerapids; it must not need "
                          "extensions the host lacks"
                        : "CPU to generate code for: native (the host's name "
                          "and features), or an LLVM CPU name such as "
                          "x86-64, x86-64-v3, x86-64-v4 (with that CPU's "
                          "features)"),
                llvm::cl::value_desc("cpu"), llvm::cl::init("native"),
                llvm::cl::cat(category)),
      bf16Products(
          "bf16-products",
          llvm::cl::desc(
              "Weight-only matmuls multiply activations and weights rounded "
              "to bf16 by vdpbf16ps (f32 sums): with 32 or more activation "
              "rows the dequantized weights; in the streaming kernel 4-bit "
              "weights (in groups of a multiple of 128 codes scaled in f32, "
              "in shorter groups their dequantized values). "
              "About twice the products per instruction, operands kept to 8 "
              "significant bits; needs a --target-cpu with AVX512-BF16"),
          llvm::cl::init(false), llvm::cl::cat(category)),
      hostOnly(hostOnly) {}

bool mlir::lowbit::CPUTargetCommandLine::resolve(std::string &error) {
  FailureOr<unsigned> resolvedThreads = resolveThreads(threads, error);
  if (failed(resolvedThreads))
    return false;
  numThreads = *resolvedThreads;
  FailureOr<CPUTarget> resolved = resolveCPUTarget(targetCPU, error);
  if (failed(resolved))
    return false;
  if (bf16Products && !resolved->bf16) {
    error = "--bf16-products needs vdpbf16ps (AVX512-BF16), which "
            "--target-cpu=" +
            targetCPU + " lacks";
    return false;
  }
  resolved->bf16Products = bf16Products;
  if (hostOnly && !resolved->missingOnHost.empty()) {
    error = "--target-cpu=" + targetCPU + " needs " + resolved->missingOnHost +
            ", which this host lacks; the code could not run here";
    return false;
  }
  target = *resolved;
  return true;
}

void mlir::lowbit::renameOptionArgument(std::vector<std::string> &args,
                                        StringRef name, StringRef replacement) {
  for (std::string &arg : args)
    for (std::string spelling : {"--" + name.str(), "-" + name.str()})
      if (arg == spelling || StringRef(arg).starts_with(spelling + "="))
        arg = "--" + replacement.str() + arg.substr(spelling.size());
}

std::string mlir::lowbit::listFunctions(ModuleOp module) {
  std::string names;
  auto add = [&](StringRef name) {
    names += (names.empty() ? "@" : ", @") + name.str();
  };
  for (auto func : module.getOps<func::FuncOp>())
    add(func.getSymName());
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (!func.isExternal())
      add(func.getSymName());
  return names.empty() ? std::string("none") : names;
}

FailureOr<mlir::lowbit::CPUTarget>
mlir::lowbit::resolveCPUTarget(StringRef name, std::string &error) {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target) {
    error = "cannot target " + triple.str() + ": " + lookupError;
    return failure();
  }
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  CPUTarget result;
  std::unique_ptr<llvm::MCSubtargetInfo> info;
  if (name == "native") {
    result.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureList;
    for (const auto &feature : host)
      featureList.AddFeature(feature.first(), feature.second);
    result.features = featureList.getString();
  } else {
    // The generic subtarget answers without warning about an unknown CPU.
    std::unique_ptr<llvm::MCSubtargetInfo> generic(
        target->createMCSubtargetInfo(triple, "", ""));
    if (!generic || !generic->isCPUStringValid(name)) {
      error = "unknown --target-cpu '" + name.str() + "' for " + triple.str() +
              " (use native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, znver4, "
              "znver5, sapphirerapids or another LLVM CPU name)";
      return failure();
    }
    result.cpu = name.str();
  }
  info.reset(
      target->createMCSubtargetInfo(triple, result.cpu, result.features));
  auto has = [&](StringRef feature) {
    return info && info->checkFeatures(("+" + feature).str());
  };
  result.vectorWidth = has("avx512f") ? 16 : has("avx2") ? 8 : 4;
  result.fma = has("fma");
  result.vnni =
      result.vectorWidth == 16
          ? has("avx512vnni")
          : result.vectorWidth == 8 &&
                (has("avxvnni") || (has("avx512vnni") && has("avx512vl")));
  result.bf16 = has("avx512bf16") && result.vectorWidth == 16;
  for (StringRef feature :
       {"sse4.2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw",
        "avx512dq", "avx512vl", "avx512vnni", "avx512bf16", "avx512fp16",
        "avxvnni", "amx-tile", "amx-int8", "amx-bf16"}) {
    if (!has(feature))
      continue;
    auto it = host.find(feature);
    if (it == host.end() || !it->second)
      result.missingOnHost +=
          (result.missingOnHost.empty() ? "" : ", ") + feature.str();
  }
  return result;
}

void mlir::lowbit::prepareEntryFunction(ModuleOp module, func::FuncOp entry) {
  MLIRContext *ctx = module.getContext();
  entry->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                 UnitAttr::get(ctx));
  // A private function could be dropped or made internal by the lowering.
  SymbolTable::setSymbolVisibility(entry, SymbolTable::Visibility::Public);
  // A result written in place into an argument would come back as a
  // bufferization.clone of it; read-only arguments avoid that.
  auto writable = StringAttr::get(ctx, "bufferization.writable");
  auto no = BoolAttr::get(ctx, false);
  for (auto f : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
      if (!f.isExternal() && isa<TensorType>(f.getArgument(i).getType()) &&
          !f.getArgAttr(i, writable))
        f.setArgAttr(i, writable, no);
}

std::string mlir::lowbit::lowerEntryModuleToCPU(ModuleOp module,
                                                func::FuncOp entry,
                                                bool calibrate,
                                                const CPUTarget &target,
                                                unsigned threads) {
  prepareEntryFunction(module, entry);
  MLIRContext *ctx = module.getContext();
  std::string pipelineError;
  llvm::raw_string_ostream pipelineErrorStream(pipelineError);
  std::string pipeline =
      "builtin.module(lowbit-lower-to-cpu{calibrate=" +
      std::string(calibrate ? "true" : "false") +
      " vector-width=" + std::to_string(target.vectorWidth) +
      " fma=" + (target.fma ? "true" : "false") +
      " vnni=" + (target.vnni ? "true" : "false") +
      " bf16-products=" + (target.bf16Products ? "true" : "false") +
      " avx512bf16=" + (target.bf16 ? "true" : "false") +
      " threads=" + std::to_string(threads) + "})";
  FailureOr<OpPassManager> parsed =
      parsePassPipeline(pipeline, pipelineErrorStream);
  if (failed(parsed))
    return "cannot build the lowbit-lower-to-cpu pipeline: " + pipelineError;
  PassManager pm(ctx, ModuleOp::getOperationName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(applyPassManagerCLOptions(pm)))
    return "invalid pass manager options";
  if (failed(pm.run(module)))
    return "lowbit-lower-to-cpu failed (diagnostics above)";
  return "";
}

Operation *mlir::lowbit::findUntranslatableOp(ModuleOp module) {
  Operation *leftover = nullptr;
  module.walk([&](Operation *op) {
    // OpenMP ops (parallel kernels) have their own translation to LLVM IR.
    if (op == module.getOperation() ||
        isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
      return WalkResult::advance();
    bool isCast = isa<UnrealizedConversionCastOp>(op);
    if (!leftover || !isCast)
      leftover = op;
    return isCast ? WalkResult::advance() : WalkResult::interrupt();
  });
  return leftover;
}
