//===- Pipelines.cpp - lowbit's named pipelines ---------------------------===//
//
// Weight-only pipelines, each a preset of lowbit-quantize-weights followed by
// canonicalization and CSE (dead float accumulators and weights go):
//
//   lowbit-w8a16  i8, one scale per output channel
//   lowbit-w4a16  i4, groups of group-size (default 128) along K
//   lowbit-nf4    nf4, groups of group-size (default 64) along K
//   lowbit-fp8    f8E4M3FN, one scale per output channel
//
// and lowbit-w8a8: i8 weights per output channel, then i8 activations
// (dynamic per token by default, or static from a statistics file), giving
// integer lowbit.matmuls.
//
// Lowering pipelines: lowbit-lower-to-cpu (LLVM dialect for the host) and
// lowbit-lower-to-nvvm (host code copying buffers to the device and launching
// NVVM kernels, embedded as PTX; see docs/passes/lower-to-nvvm.md).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Pipelines/Pipelines.h"

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Options common to the weight-only pipelines.
struct WeightOnlyOptions : public PassPipelineOptions<WeightOnlyOptions> {
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Group size along K (0: the pipeline's default: 128 "
                     "for lowbit-w4a16, 64 for lowbit-nf4, per channel for "
                     "lowbit-w8a16 and lowbit-fp8, which become group-wise "
                     "with a group size)"),
      llvm::cl::init(0)};
  Option<bool> symmetric{
      *this, "symmetric",
      llvm::cl::desc("Symmetric scales (false: affine with zero-points, "
                     "integer formats only)"),
      llvm::cl::init(true)};
  Option<std::string> scaleType{
      *this, "scale-type",
      llvm::cl::desc("Scale element type: f32, f16 or bf16"),
      llvm::cl::init("f32")};
  Option<bool> clipSearch{
      *this, "clip-search",
      llvm::cl::desc("Search per-block clipping ratios minimising weight MSE"),
      llvm::cl::init(false)};
  Option<bool> doubleQuant{
      *this, "double-quant",
      llvm::cl::desc("Store the group scales as int8 codes with one f32 scale "
                     "per 256 (QLoRA double quantization)"),
      llvm::cl::init(false)};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write the per-weight JSON report of "
                     "lowbit-quantize-weights to this file"),
      llvm::cl::init("")};
  Option<std::string> policy{*this, "policy",
                             llvm::cl::desc("Mixed-precision policy file (see "
                                            "docs/passes/mixed-precision.md)"),
                             llvm::cl::init("")};
  Option<std::string> preset{
      *this, "preset",
      llvm::cl::desc("Built-in policy: none, llm (output head stays float) "
                     "or llm-int8-head"),
      llvm::cl::init("none")};
  Option<std::string> method{
      *this, "method",
      llvm::cl::desc("Weight quantizer: rtn, gptq or awq (gptq and awq need "
                     "`stats`; see docs/passes/gptq-awq.md)"),
      llvm::cl::init("rtn")};
  Option<std::string> stats{
      *this, "stats",
      llvm::cl::desc("Statistics file of lowbit-run --calibrate with Gram "
                     "matrices, for method=gptq and method=awq"),
      llvm::cl::init("")};
};

/// Adds lowbit-quantize-weights with `format` and `granularity` and the
/// user's options, then CSE.
void buildWeightOnlyPipeline(OpPassManager &pm,
                             const WeightOnlyOptions &options, StringRef format,
                             StringRef granularity, int64_t defaultGroupSize) {
  QuantizeWeightsPassOptions passOptions;
  passOptions.format = format.str();
  // A group size on a per-channel pipeline asks for groups of that size.
  passOptions.granularity =
      options.groupSize > 0 ? std::string("group") : granularity.str();
  passOptions.groupSize =
      options.groupSize == 0 ? defaultGroupSize : int64_t(options.groupSize);
  passOptions.symmetric = options.symmetric;
  passOptions.scaleType = options.scaleType;
  passOptions.clipSearch = options.clipSearch;
  passOptions.doubleQuant = options.doubleQuant;
  passOptions.report = options.report;
  passOptions.policy = options.policy;
  passOptions.preset = options.preset;
  passOptions.method = options.method;
  passOptions.stats = options.stats;
  pm.addPass(createQuantizeWeightsPass(passOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Options of lowbit-w8a8.
struct W8A8Options : public PassPipelineOptions<W8A8Options> {
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("dynamic (scales computed at run time) or static "
                     "(scales from the statistics file `stats`)"),
      llvm::cl::init("dynamic")};
  Option<std::string> granularity{
      *this, "granularity",
      llvm::cl::desc("Activation scales: token (dynamic only) or tensor; "
                     "default token when dynamic, tensor when static"),
      llvm::cl::init("")};
  Option<bool> symmetric{
      *this, "symmetric",
      llvm::cl::desc("Symmetric i8 activations (false: affine, zero-points "
                     "corrected with compile-time weight column sums)"),
      llvm::cl::init(true)};
  Option<std::string> stats{
      *this, "stats", llvm::cl::desc("Statistics file for static activations"),
      llvm::cl::init("")};
  Option<std::string> calibrator{
      *this, "calibrator",
      llvm::cl::desc("Static activations: minmax, percentile, entropy or "
                     "mse"),
      llvm::cl::init("minmax")};
  Option<double> percentile{
      *this, "percentile",
      llvm::cl::desc("Percentile kept by calibrator=percentile"),
      llvm::cl::init(99.99)};
  Option<std::string> scaleType{
      *this, "scale-type",
      llvm::cl::desc("Weight scale element type: f32, f16 or bf16"),
      llvm::cl::init("f32")};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write the per-weight JSON report of "
                     "lowbit-quantize-weights to this file"),
      llvm::cl::init("")};
  Option<std::string> policy{*this, "policy",
                             llvm::cl::desc("Mixed-precision policy file (see "
                                            "docs/passes/mixed-precision.md)"),
                             llvm::cl::init("")};
  Option<std::string> preset{
      *this, "preset",
      llvm::cl::desc("Built-in policy: none, llm (output head stays float) "
                     "or llm-int8-head"),
      llvm::cl::init("none")};
  Option<double> smooth{
      *this, "smooth",
      llvm::cl::desc("Run lowbit-smooth-quant with this alpha first, from "
                     "the channel_abs_max of `stats` (gathered on the "
                     "unsmoothed model); static ranges then come from "
                     "`<stats>.smoothed.json`, which it derives")};
};

void buildW8A8Pipeline(OpPassManager &pm, const W8A8Options &options) {
  // SmoothQuant changes every smoothed input by 1/s, so static ranges
  // gathered on the unsmoothed model no longer apply; the pass writes the
  // ranges of the smoothed inputs (exact abs-max, from channel_abs_max).
  std::string rangeStats = options.stats;
  if (options.smooth.hasValue()) {
    SmoothQuantPassOptions smoothing;
    smoothing.stats = options.stats;
    smoothing.alpha = options.smooth;
    if (options.activations == "static" && !options.stats.empty()) {
      rangeStats = options.stats + ".smoothed.json";
      smoothing.smoothedStats = rangeStats;
    }
    pm.addPass(createSmoothQuantPass(smoothing));
  }

  QuantizeWeightsPassOptions weights;
  weights.format = "i8";
  weights.granularity = "channel";
  weights.scaleType = options.scaleType;
  weights.report = options.report;
  weights.policy = options.policy;
  weights.preset = options.preset;
  pm.addPass(createQuantizeWeightsPass(weights));

  QuantizeActivationsPassOptions activations;
  activations.mode = options.activations;
  activations.granularity =
      !options.granularity.empty()      ? options.granularity.getValue()
      : options.activations == "static" ? std::string("tensor")
                                        : std::string("token");
  activations.symmetric = options.symmetric;
  // Dynamic activations read no ranges (`stats` may still feed smoothing).
  if (options.activations == "static")
    activations.stats = rangeStats;
  activations.calibrator = options.calibrator;
  activations.percentile = options.percentile;
  pm.addPass(createQuantizeActivationsPass(activations));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Options of lowbit-lower-to-cpu.
struct LowerToCPUOptions : public PassPipelineOptions<LowerToCPUOptions> {
  Option<bool> calibrate{
      *this, "calibrate",
      llvm::cl::desc("Lower lowbit.observe to calls into the calibration "
                     "runtime (lowbit_observe_f32) instead of the identity"),
      llvm::cl::init(false)};
  Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("Lower the dequant_matmuls that lowbit-cpu-kernels "
                     "handles to its vector kernels (false: every op through "
                     "linalg loops)"),
      llvm::cl::init(true)};
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("f32 lanes of the kernels' vectors: 8 for AVX2, 16 for "
                     "AVX-512 (the tools derive it from --target-cpu)"),
      llvm::cl::init(8)};
  Option<bool> fma{*this, "fma",
                   llvm::cl::desc("The target has fused multiply-add"),
                   llvm::cl::init(true)};
  Option<bool> vnni{*this, "vnni",
                    llvm::cl::desc("The target has AVX512-VNNI or AVX-VNNI "
                                   "(vpdpbusd) for W8A8 matmuls"),
                    llvm::cl::init(false)};
  Option<bool> bf16Products{
      *this, "bf16-products",
      llvm::cl::desc("Weight-only GEMMs multiply bf16-rounded activations "
                     "and dequantized weights by vdpbf16ps (needs "
                     "AVX512-BF16; see lowbit-cpu-kernels)"),
      llvm::cl::init(false)};
  Option<bool> avx512bf16{
      *this, "avx512bf16",
      llvm::cl::desc("The target has vdpbf16ps (AVX512-BF16): weight-only "
                     "matmuls on bf16 activations multiply in bf16"),
      llvm::cl::init(false)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads of the kernels' parallel loops: 0 or 1 runs "
                     "them sequentially; more lowers them to OpenMP (the "
                     "code then needs the OpenMP runtime, libomp)"),
      llvm::cl::init(1)};
};

/// Tensor-level IR (lowbit, linalg, tensor, arith, math) to the LLVM dialect:
/// the dequant_matmuls lowbit-cpu-kernels handles become vector kernels, the
/// other lowbit ops become linalg, everything bufferizes (function boundaries
/// included, identity layouts), linalg becomes loops, and the loops, memrefs
/// and scalar ops become LLVM. Functions keep their names; give them the
/// `llvm.emit_c_interface` attribute to get a `_mlir_ciface_` wrapper.
void buildLowerToCPUPipeline(OpPassManager &pm,
                             const LowerToCPUOptions &options) {
  // The textual form keeps this list readable and in sync with
  // docs/UserGuide.md; every pass named here is registered by lowbit-opt.
  std::string kernels;
  if (options.kernels)
    kernels = "lowbit-cpu-kernels{vector-width=" +
              std::to_string(options.vectorWidth) +
              " fma=" + (options.fma ? "true" : "false") +
              " vnni=" + (options.vnni ? "true" : "false") +
              " bf16-products=" + (options.bf16Products ? "true" : "false") +
              " avx512bf16=" + (options.avx512bf16 ? "true" : "false") + "},";
  std::string pipeline =
      kernels +
      std::string(options.calibrate ? "lowbit-lower-to-linalg{calibrate=true},"
                                    : "lowbit-lower-to-linalg,") +
      "convert-elementwise-to-linalg,"
      "canonicalize,cse,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-deallocation-pipeline,"
      "convert-bufferization-to-memref,"
      "convert-linalg-to-loops," +
      (options.threads > 1
           ? "scf-forall-to-parallel,convert-scf-to-openmp{num-threads=" +
                 std::to_string(options.threads) + "},canonicalize,"
           : std::string("scf-forall-to-for,")) +
      "convert-math-to-funcs,"
      "lower-affine,"
      "convert-vector-to-scf,"
      "convert-scf-to-cf,"
      // After the parallel loops' memref.alloca_scope bodies are inlined
      // (an intrinsic call's unknown effects would keep them).
      "lowbit-lower-cpu-intrinsics,"
      "expand-strided-metadata,"
      "lower-affine,"
      "convert-vector-to-llvm,"
      "finalize-memref-to-llvm,"
      "convert-math-to-llvm,"
      "convert-math-to-libm,"
      "convert-arith-to-llvm,"
      "convert-index-to-llvm,"
      "convert-cf-to-llvm,"
      "convert-func-to-llvm,"
      "convert-openmp-to-llvm,"
      "reconcile-unrealized-casts";
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("lowbit-lower-to-cpu: the built-in pipeline "
                             "failed to parse");
}

/// NVIDIA targets of lowbit-lower-to-nvvm.
enum class NVVMChip { SM90a, SM80 };

/// What lowbit-lower-to-nvvm leaves in the gpu.binary ops.
enum class NVVMFormat { ISA, Binary, Fatbinary, None };

/// Options of lowbit-lower-to-nvvm.
struct LowerToNVVMOptions : public PassPipelineOptions<LowerToNVVMOptions> {
  Option<NVVMChip> chip{
      *this, "chip", llvm::cl::desc("Target GPU (sm_90a: H100/H200)"),
      llvm::cl::init(NVVMChip::SM90a),
      llvm::cl::values(clEnumValN(NVVMChip::SM90a, "sm_90a", "Hopper"),
                       clEnumValN(NVVMChip::SM80, "sm_80", "Ampere"))};
  Option<NVVMFormat> format{
      *this, "format",
      llvm::cl::desc("Kernel binaries embedded in gpu.binary (bin and fatbin "
                     "run ptxas at compile time)"),
      llvm::cl::init(NVVMFormat::ISA),
      llvm::cl::values(
          clEnumValN(NVVMFormat::ISA, "isa", "PTX text"),
          clEnumValN(NVVMFormat::Binary, "bin", "cubin"),
          clEnumValN(NVVMFormat::Fatbinary, "fatbin", "fatbinary"),
          clEnumValN(NVVMFormat::None, "none",
                     "stop before gpu-module-to-binary: gpu.module ops in "
                     "the NVVM dialect"))};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block along the second loop dimension (the "
                     "output columns of a matmul)"),
      llvm::cl::init(64)};
  Option<int64_t> gemvMaxM{
      *this, "gemv-max-m",
      llvm::cl::desc("lowbit.dequant_matmul with at most this many activation "
                     "rows gets the GEMV kernel of lowbit-gpu-gemv (0: none)"),
      llvm::cl::init(16)};
  Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("dequant_matmul above gemv-max-m gets a tensor-core "
                     "kernel of lowbit-gpu-gemv: the staged one (shared "
                     "memory, cp.async, ldmatrix; lowbit-gpu-staged-mma) "
                     "for f16 or bf16 activations and M, N, K multiples of "
                     "64, 64, 32, else the unstaged nvgpu.mma.sync one for "
                     "f16 and multiples of 16, 32, 16; integer "
                     "(and on sm_90a FP8) lowbit.matmul with M, N, K "
                     "multiples of 16, 32, 32 the one of "
                     "lowbit-gpu-quant-matmul"),
      llvm::cl::init(true)};
  Option<bool> warpgroupMma{
      *this, "warpgroup-mma",
      llvm::cl::desc("On sm_90a, the wgmma kernels where they apply: TMA + "
                     "wgmma for integer/FP8 lowbit.matmul with M, N, K "
                     "multiples of 128 (lowbit-gpu-staged-matmul), and the "
                     "wgmma variant of the staged dequant_matmul kernel for "
                     "M, N, K multiples of 64, 128, 64; false keeps the "
                     "mma.sync kernels (ignored on sm_80)"),
      llvm::cl::init(true)};
  Option<std::string> ptxDir{
      *this, "ptx-dir",
      llvm::cl::desc("Also write each kernel module's PTX to "
                     "DIR/<binary>.<chip>.ptx (format=isa only)"),
      llvm::cl::init("")};
};

/// Tensor-level IR to host LLVM code launching NVVM kernels: dequant_matmuls
/// with few rows become GEMV kernels (lowbit-gpu-gemv); every other linalg
/// op becomes an scf.parallel nest whose parallel dimensions are tiled
/// (1 x block-size) and mapped to blocks and threads, with reductions
/// sequential in each thread (one thread per output element). Buffers the
/// kernels use get device mirrors (lowbit-gpu-device-buffers) ordered on a
/// stream (gpu-async-region); each gpu.launch is outlined to a gpu.module
/// for the chip, and the modules are serialized by gpu-module-to-binary.
/// The host side follows upstream's gpu-lower-to-nvvm-pipeline, spelled out
/// so that format=none can stop before serialization.
/// ` toolkit=<dir>` for gpu-module-to-binary when a CUDA toolkit with
/// libdevice is installed ($CUDA_HOME, else /usr/local/cuda), so that kernels
/// calling libdevice (math.absf and friends become __nv_* calls, e.g. in the
/// dynamic activation scales of W8A8) link; "" otherwise (serialization
/// still works, ptxas then reports the unresolved __nv_* functions).
static std::string libdeviceToolkit() {
  SmallVector<std::string> candidates;
  if (const char *home = std::getenv("CUDA_HOME"))
    candidates.push_back(home);
  candidates.push_back("/usr/local/cuda");
  for (const std::string &dir : candidates)
    if (llvm::sys::fs::exists(dir + "/nvvm/libdevice/libdevice.10.bc"))
      return " toolkit=" + dir;
  return "";
}

void buildLowerToNVVMPipeline(OpPassManager &pm,
                              const LowerToNVVMOptions &options) {
  StringRef chip = options.chip == NVVMChip::SM80 ? "sm_80" : "sm_90a";
  StringRef format;
  switch (options.format) {
  case NVVMFormat::ISA:
    format = "isa";
    break;
  case NVVMFormat::Binary:
    format = "bin";
    break;
  case NVVMFormat::Fatbinary:
    format = "fatbin";
    break;
  case NVVMFormat::None:
    break;
  }
  int64_t blockSize = std::max<int64_t>(1, options.blockSize);

  // PTX ISA 8.0 (CUDA 12.0) is the oldest with sm_90a; sm_80 takes it.
  // sm_90a uses 8.4 (CUDA 12.4), the oldest with the FP8 mma.sync of
  // lowbit-gpu-quant-matmul.
  bool sm90 = options.chip != NVVMChip::SM80;
  bool wgmma = sm90 && options.warpgroupMma;
  std::string pipeline;
  if (options.gemvMaxM > 0 || options.tensorCores)
    pipeline += "func.func(lowbit-gpu-gemv{max-m=" +
                std::to_string(std::max<int64_t>(0, options.gemvMaxM)) +
                " tensor-cores=" + (options.tensorCores ? "true" : "false") +
                "}),";
  // Integer matmuls on tensor cores for both chips; FP8 ones on sm_90a only
  // (mma.sync with e4m3/e5m2 needs sm_89), generic kernels on sm_80.
  if (options.tensorCores)
    pipeline += std::string("func.func(lowbit-gpu-quant-matmul{fp8=") +
                (sm90 ? "true" : "false") +
                " warpgroup-mma=" + (wgmma ? "true" : "false") +
                " staged=true}),";
  pipeline += "lowbit-lower-to-linalg,"
              "convert-elementwise-to-linalg,"
              "canonicalize,cse,"
              "one-shot-bufferize{bufferize-function-boundaries "
              "function-boundary-type-conversion=identity-layout-map},"
              "buffer-deallocation-pipeline,"
              "convert-bufferization-to-memref,"
              "func.func(";
  // The staged tensor-core kernels, after deallocation (their barriers and
  // async-copy groups declare no memory effects).
  if (options.tensorCores)
    pipeline += std::string("lowbit-gpu-staged-mma{warpgroup-mma=") +
                (wgmma ? "true" : "false") + "},";
  pipeline += "convert-linalg-to-parallel-loops,"
              "scf-parallel-loop-tiling{parallel-loop-tile-sizes=1," +
              std::to_string(blockSize) +
              " no-min-max-bounds=true},"
              "gpu-map-parallel-loops,"
              "convert-parallel-loops-to-gpu,"
              "lowbit-gpu-device-buffers,"
              // After the device mirrors: its tensor maps point at them.
              "lowbit-gpu-staged-matmul),"
              "lower-affine,"
              "canonicalize,cse,"
              "gpu-launch-sink-index-computations,"
              // Before outlining, as upstream's gpu-lower-to-nvvm-pipeline:
              // TMA tensor maps cross into kernels as !llvm.ptr (gpu.func
              // arguments of nvgpu types would not convert).
              "convert-nvgpu-to-nvvm,"
              "gpu-kernel-outlining,"
              // The shared globals of nvgpu ops (mbarriers) were created in
              // the host module and cloned into the kernels' modules.
              "symbol-dce,"
              "lowbit-gpu-align-workgroup-memory,"
              "func.func(gpu-async-region),"
              "nvvm-attach-target{chip=" +
              chip.str() + " features=" + (sm90 ? "+ptx84" : "+ptx80") +
              " O=3},"
              "convert-scf-to-cf,"
              "convert-nvvm-to-llvm,"
              "convert-func-to-llvm,"
              "expand-strided-metadata,"
              "lower-affine,"
              "convert-arith-to-llvm,"
              "convert-index-to-llvm,"
              "canonicalize,cse,"
              "gpu.module(convert-gpu-to-nvvm,"
              "lowbit-gpu-extern-dynamic-shared-memory,canonicalize,cse,"
              "reconcile-unrealized-casts),"
              "gpu-to-llvm,";
  if (options.format != NVVMFormat::None)
    pipeline += "gpu-module-to-binary{format=" + format.str() +
                libdeviceToolkit() + "},";
  // lowbit-write-ptx reports binaries without PTX (format=bin|fatbin) and
  // modules without binaries (format=none).
  if (!options.ptxDir.empty())
    pipeline += "lowbit-write-ptx{dir=" + options.ptxDir + "},";
  pipeline += "convert-math-to-llvm,"
              "canonicalize,cse,"
              "reconcile-unrealized-casts";
  if (failed(parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("lowbit-lower-to-nvvm: the built-in pipeline "
                             "failed to parse");
}

/// Options of lowbit-gptq and lowbit-awq: the 4-bit scheme and the method's
/// knobs; the statistics file (with Gram matrices) is required.
struct CalibratedWeightOptions
    : public PassPipelineOptions<CalibratedWeightOptions> {
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Storage format: i4 (default), u4, nf4, i8, ..."),
      llvm::cl::init("i4")};
  Option<int64_t> groupSize{*this, "group-size",
                            llvm::cl::desc("Group size along K"),
                            llvm::cl::init(128)};
  Option<bool> symmetric{*this, "symmetric",
                         llvm::cl::desc("Symmetric scales (false: affine)"),
                         llvm::cl::init(true)};
  Option<std::string> stats{
      *this, "stats",
      llvm::cl::desc("Statistics file of lowbit-run --calibrate with the "
                     "Gram matrices (required)"),
      llvm::cl::init("")};
  Option<double> dampPercent{
      *this, "damp-percent",
      llvm::cl::desc("GPTQ damping, as a fraction of the mean diagonal of H"),
      llvm::cl::init(0.01)};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("GPTQ lazy-update block size"),
                            llvm::cl::init(128)};
  Option<bool> actOrder{
      *this, "act-order",
      llvm::cl::desc("GPTQ: columns in order of decreasing diag(H)"),
      llvm::cl::init(false)};
  Option<bool> clipSearch{*this, "clip-search",
                          llvm::cl::desc("AWQ: also search clipping ratios"),
                          llvm::cl::init(false)};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write the per-weight JSON report to this file"),
      llvm::cl::init("")};
};

/// lowbit-quantize-weights with `method`, group-wise, then cleanup.
void buildCalibratedWeightPipeline(OpPassManager &pm,
                                   const CalibratedWeightOptions &options,
                                   StringRef method) {
  QuantizeWeightsPassOptions passOptions;
  passOptions.format = options.format;
  passOptions.granularity = "group";
  passOptions.groupSize = options.groupSize;
  passOptions.symmetric = options.symmetric;
  passOptions.method = method.str();
  passOptions.stats = options.stats;
  passOptions.dampPercent = options.dampPercent;
  passOptions.blockSize = options.blockSize;
  passOptions.actOrder = options.actOrder;
  passOptions.clipSearch = method == "awq" && options.clipSearch;
  passOptions.report = options.report;
  pm.addPass(createQuantizeWeightsPass(passOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

} // namespace

void mlir::lowbit::registerLowbitPipelines() {
  PassPipelineRegistration<CalibratedWeightOptions>(
      "lowbit-gptq",
      "GPTQ weight quantization (group-wise, 4-bit by default) from the Gram "
      "matrices of a calibration run",
      [](OpPassManager &pm, const CalibratedWeightOptions &options) {
        buildCalibratedWeightPipeline(pm, options, "gptq");
      });
  PassPipelineRegistration<CalibratedWeightOptions>(
      "lowbit-awq",
      "AWQ weight quantization (activation-aware scaling, group-wise, 4-bit "
      "by default) from the Gram matrices of a calibration run",
      [](OpPassManager &pm, const CalibratedWeightOptions &options) {
        buildCalibratedWeightPipeline(pm, options, "awq");
      });
  PassPipelineRegistration<LowerToNVVMOptions>(
      "lowbit-lower-to-nvvm",
      "Lower tensor-level lowbit/linalg IR to host LLVM code that copies its "
      "buffers to the device and launches NVVM kernels (GEMV kernels for "
      "dequant_matmul with M <= gemv-max-m, else one thread per output "
      "element), embedded as PTX or cubin for chip=sm_90a|sm_80",
      buildLowerToNVVMPipeline);
  PassPipelineRegistration<LowerToCPUOptions>(
      "lowbit-lower-to-cpu",
      "Lower tensor-level lowbit/linalg IR to the LLVM dialect for the host "
      "CPU (bufferization, loops, LLVM)",
      buildLowerToCPUPipeline);
  PassPipelineRegistration<W8A8Options>(
      "lowbit-w8a8",
      "int8 weights (per output channel) and int8 activations (dynamic per "
      "token, or static from a statistics file): integer lowbit.matmul",
      buildW8A8Pipeline);
  PassPipelineRegistration<WeightOnlyOptions>(
      "lowbit-w8a16", "Weight-only int8 with one scale per output channel",
      [](OpPassManager &pm, const WeightOnlyOptions &options) {
        buildWeightOnlyPipeline(pm, options, "i8", "channel", 128);
      });
  PassPipelineRegistration<WeightOnlyOptions>(
      "lowbit-w4a16",
      "Weight-only int4, group-wise along K (group-size, default 128)",
      [](OpPassManager &pm, const WeightOnlyOptions &options) {
        buildWeightOnlyPipeline(pm, options, "i4", "group", 128);
      });
  PassPipelineRegistration<WeightOnlyOptions>(
      "lowbit-nf4",
      "Weight-only NF4, group-wise along K (group-size, default 64)",
      [](OpPassManager &pm, const WeightOnlyOptions &options) {
        buildWeightOnlyPipeline(pm, options, "nf4", "group", 64);
      });
  PassPipelineRegistration<WeightOnlyOptions>(
      "lowbit-fp8", "Weight-only FP8 E4M3FN with one scale per output channel",
      [](OpPassManager &pm, const WeightOnlyOptions &options) {
        buildWeightOnlyPipeline(pm, options, "f8E4M3FN", "channel", 128);
      });
}
