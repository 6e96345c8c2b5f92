//===- Pipelines.cpp - lowbit's named pipelines ---------------------------===//
//
// Weight-only pipelines, each a preset of lowbit-quantize-weights followed by
// CSE (weights shared between matmuls are quantized once):
//
//   lowbit-w8a16  i8, one scale per output channel
//   lowbit-w4a16  i4, groups of group-size (default 128) along K
//   lowbit-nf4    nf4, groups of group-size (default 64) along K
//   lowbit-fp8    f8E4M3FN, one scale per output channel
//
//===----------------------------------------------------------------------===//

#include "lowbit/Pipelines/Pipelines.h"

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Options common to the weight-only pipelines.
struct WeightOnlyOptions : public PassPipelineOptions<WeightOnlyOptions> {
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Group size along K for the group-wise pipelines "
                     "(0: the pipeline's default, 128 for lowbit-w4a16, 64 "
                     "for lowbit-nf4)"),
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
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write the per-weight JSON report of "
                     "lowbit-quantize-weights to this file"),
      llvm::cl::init("")};
};

/// Adds lowbit-quantize-weights with `format` and `granularity` and the
/// user's options, then CSE.
void buildWeightOnlyPipeline(OpPassManager &pm,
                             const WeightOnlyOptions &options,
                             StringRef format, StringRef granularity,
                             int64_t defaultGroupSize) {
  QuantizeWeightsPassOptions passOptions;
  passOptions.format = format.str();
  passOptions.granularity = granularity.str();
  passOptions.groupSize =
      options.groupSize == 0 ? defaultGroupSize : int64_t(options.groupSize);
  passOptions.symmetric = options.symmetric;
  passOptions.scaleType = options.scaleType;
  passOptions.clipSearch = options.clipSearch;
  passOptions.report = options.report;
  pm.addPass(createQuantizeWeightsPass(passOptions));
  pm.addPass(createCSEPass());
}

} // namespace

void mlir::lowbit::registerLowbitPipelines() {
  PassPipelineRegistration<WeightOnlyOptions>(
      "lowbit-w8a16",
      "Weight-only int8 with one scale per output channel",
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
      "lowbit-fp8",
      "Weight-only FP8 E4M3FN with one scale per output channel",
      [](OpPassManager &pm, const WeightOnlyOptions &options) {
        buildWeightOnlyPipeline(pm, options, "f8E4M3FN", "channel", 128);
      });
}
