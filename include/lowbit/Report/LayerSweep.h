//===- LayerSweep.h - float and quantized models side by side ---*- C++ -*-===//
//
// Measures what a quantization pipeline costs each layer of a float model:
//
//   1. the float model with every layer tapped (lowbit-expose-layers
//      mode=tap) runs on each sample; its layer inputs and outputs are the
//      reference;
//   2. end to end: the tapped model, quantized by the pipeline, runs on the
//      same samples; each layer output is compared with the float one;
//   3. isolated: the model with every layer's input cut into an argument
//      (mode=isolate), quantized, runs with those arguments fed the float
//      model's own layer inputs: each layer's error alone, all layers in
//      one run.
//
// Models run in lowbit-run processes (the CPU JIT), so a crash in generated
// code cannot take the tool down with it. Weight sizes and schemes come from
// the pipeline's own weight report (lowbit-quantize-weights report=).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_REPORT_LAYERSWEEP_H
#define LOWBIT_REPORT_LAYERSWEEP_H

#include "lowbit/IO/Npy.h"
#include "lowbit/Report/LayerReport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <set>
#include <string>
#include <vector>

namespace lowbit::report {

/// One sample: a .npy file per argument of the entry function.
using Sample = std::vector<std::string>;

/// Lists the samples of `dir`: `dir/<sample>/input_<i>.npy` for each
/// subdirectory, or `dir/*.npy` when the function takes one argument (the
/// layout of lowbit-run --calibrate). Sorted by name.
bool listSamples(const std::string &dir, size_t numArgs,
                 std::vector<Sample> &samples, std::string &error);

struct SweepOptions {
  /// The lowbit-run executable.
  std::string lowbitRun;
  /// The function to run.
  std::string entry = "main";
  /// An existing directory for the models and outputs of the runs.
  std::string workDir;
};

class LayerSweep {
public:
  LayerSweep(mlir::ModuleOp floatModel, std::string modelName,
             SweepOptions options);

  /// Checks that the model is float (no lowbit quantized op), taps it and
  /// runs it on `samples`, keeping the reference outputs.
  bool prepare(const std::vector<Sample> &samples, std::string &error);

  /// The exposed layers, in program order (after prepare).
  const std::vector<LayerInfo> &getLayers() const { return layers; }
  /// Arguments of the entry function.
  size_t getNumArguments() const { return numArguments; }

  /// Quantizes the model with `pipeline` (textual, anchored on
  /// builtin.module, e.g. `lowbit-w4a16{group-size=64}`), with `policyFile`
  /// (when not empty) given to its lowbit-quantize-weights passes, and
  /// fills `report` with the layers' and outputs' errors. `isolated` and
  /// `endToEnd` choose the runs; the metrics of a run not made are left
  /// value-initialised, and the outputs are measured only end to end.
  bool measure(const std::string &pipeline, const std::string &policyFile,
               bool isolated, bool endToEnd, LayerReport &report,
               std::string &error);

private:
  bool runModel(mlir::ModuleOp module, const std::string &tag,
                const std::vector<Sample> &inputsPerSample,
                std::vector<std::vector<io::NpyArray>> &outputs,
                std::string &error);
  mlir::OwningOpRef<mlir::ModuleOp> transform(const std::string &pipeline,
                                              const std::string &policyFile,
                                              const std::string &mode,
                                              const std::string &weightReport,
                                              std::string &error);

  mlir::ModuleOp floatModel;
  std::string modelName;
  SweepOptions options;
  std::vector<Sample> samples;
  std::vector<LayerInfo> layers;
  size_t numArguments = 0;
  size_t numModelResults = 0;
  std::vector<std::string> resultNames;
  /// Per sample, every result of the tapped float model.
  std::vector<std::vector<io::NpyArray>> reference;
  unsigned runCount = 0;
  /// Layer input files written by this sweep.
  std::set<std::string> writtenLayerInputs;
};

} // namespace lowbit::report

#endif // LOWBIT_REPORT_LAYERSWEEP_H
