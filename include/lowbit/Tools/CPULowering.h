//===- CPULowering.h - what lowbit's CPU tools share ------------*- C++ -*-===//
//
// lowbit-run (JIT) and lowbit-compile (AOT) load a module, prepare its entry
// function and lower it with lowbit-lower-to-cpu in the same way; this is
// that shared part.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TOOLS_CPULOWERING_H
#define LOWBIT_TOOLS_CPULOWERING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;

namespace lowbit {

/// Registers what the tools parse and translate: every upstream dialect and
/// extension, lowbit, and the builtin and LLVM dialect translations to
/// LLVM IR.
void registerCPUToolDialects(DialectRegistry &registry);

/// "@a, @b" (or "none"): the functions of `module`, for a "no such entry"
/// message; defined llvm.func ops are listed too.
std::string listFunctions(ModuleOp module);

/// The CPU the tools generate code for and what the kernels take from it.
struct CPUTarget {
  /// LLVM CPU name (the host's for `native`).
  std::string cpu;
  /// LLVM feature string: the host's detected features for `native`,
  /// empty for a named CPU (its name implies them).
  std::string features;
  /// f32 lanes of the kernels' vectors: 16 with AVX-512F, 8 with AVX2,
  /// else 4.
  int64_t vectorWidth = 4;
  /// The CPU has FMA3.
  bool fma = false;
  /// The CPU has vpdpbusd at the kernels' vector width (AVX512-VNNI with
  /// 16 lanes; AVX512-VNNI with AVX512VL, or AVX-VNNI, with 8).
  bool vnni = false;
  /// The CPU has vdpbf16ps at the kernels' vector width (AVX512-BF16 with
  /// 16 lanes).
  bool bf16 = false;
  /// The weight-only GEMM kernel multiplies bf16-rounded activations and
  /// dequantized weights by vdpbf16ps (--bf16-products; needs `bf16`).
  bool bf16Products = false;
  /// Instruction set extensions of the target that the host lacks (for a
  /// tool that runs the code here); empty when the host can run it.
  std::string missingOnHost;
};

/// Resolves --target-cpu=`name`: `native`, or an LLVM x86 CPU name such as
/// x86-64-v3, x86-64-v4, znver4, znver5, sapphirerapids. Fails with a
/// message naming the option for an unknown name.
FailureOr<CPUTarget> resolveCPUTarget(StringRef name, std::string &error);

/// Gives `entry` a C interface (`_mlir_ciface_<entry>`) and public
/// visibility and makes every tensor argument of every function read-only
/// (see lowerEntryModuleToCPU); shared by the CPU and GPU lowerings.
void prepareEntryFunction(ModuleOp module, func::FuncOp entry);

/// Gives `entry` a C interface (`_mlir_ciface_<entry>`) and public
/// visibility, makes every tensor argument of every function read-only
/// (results are then always fresh allocations, never an argument written in
/// place, and inputs survive repeated calls; an explicit
/// `bufferization.writable` is kept), and lowers `module` with
/// lowbit-lower-to-cpu (`calibrate` lowers observers to runtime calls) with
/// the kernel shape of `target`; with `threads` > 1 the kernels' parallel
/// loops become OpenMP (the code then calls the libomp runtime).
/// Returns an empty string on success, else what failed; pass diagnostics
/// go to the context's handler.
std::string lowerEntryModuleToCPU(ModuleOp module, func::FuncOp entry,
                                  bool calibrate, const CPUTarget &target,
                                  unsigned threads);

/// --threads=`value`: 0 means every hardware thread of the host. Fails
/// with a message naming the option for a negative or non-numeric value.
FailureOr<unsigned> resolveThreads(int value, std::string &error);

/// --target-cpu, --threads and --bf16-products, declared once for the
/// tools that compile for the CPU. LLVM owns the option name "threads": the option is registered as
/// --kernel-threads, and renameOptionArgument(args, "threads",
/// "kernel-threads") in main() lets users spell it --threads.
struct CPUTargetCommandLine {
  /// `hostOnly`: the code runs on this host (lowbit-run), so a target whose
  /// extensions the host lacks is refused.
  CPUTargetCommandLine(llvm::cl::OptionCategory &category, bool hostOnly);
  /// Resolves both options into `target` and `numThreads`; false with
  /// `error` set on a bad value.
  bool resolve(std::string &error);

  llvm::cl::opt<int> threads;
  llvm::cl::opt<std::string> targetCPU;
  llvm::cl::opt<bool> bf16Products;
  CPUTarget target;
  unsigned numThreads = 1;

private:
  bool hostOnly;
};

/// Rewrites `--NAME`, `-NAME`, `--NAME=V` and `-NAME=V` in `args` to
/// `--REPLACEMENT[=V]`, for options whose names LLVM's own options own.
void renameOptionArgument(std::vector<std::string> &args, llvm::StringRef name,
                          llvm::StringRef replacement);

/// The op that keeps `module` from being translated to LLVM IR: the first
/// op outside the LLVM and OpenMP dialects, preferring a real op over the
/// conversion casts left around it; null when everything is LLVM.
Operation *findUntranslatableOp(ModuleOp module);

} // namespace lowbit
} // namespace mlir

#endif // LOWBIT_TOOLS_CPULOWERING_H
