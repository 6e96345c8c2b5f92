//===- LayerReport.h - what quantization cost, layer by layer ---*- C++ -*-===//
//
// The per-layer error report of lowbit-report: for every quantized matmul,
// its error with the float model's own inputs (isolated) and inside the
// quantized model (end to end), its weight bytes before and after; and the
// error of the model's outputs. Written as JSON (stable keys, documented in
// docs/tools/lowbit-report.md), as a Markdown table and as an SVG chart.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_REPORT_LAYERREPORT_H
#define LOWBIT_REPORT_LAYERREPORT_H

#include "lowbit/Quant/ErrorMetrics.h"

#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::report {

/// One matmul exposed by lowbit-expose-layers (its `lowbit.layers` entry).
struct LayerInfo {
  std::string name;
  /// `file:line:col` or the location name.
  std::string location;
  /// The float weight's dense_resource key, or "".
  std::string weight;
  /// The float op, e.g. `linalg.matmul`.
  std::string op;
  /// Index among the module's constant-weight matmuls (policy `position`).
  int64_t position = 0;
  /// Index of the layer's input (a result when tapped, an argument when
  /// isolated) and of its output result.
  int64_t input = 0;
  int64_t output = 0;
  int64_t weightElements = 0;
  int64_t floatBytes = 0;
};

/// How one layer was quantized and what it cost.
struct LayerResult {
  LayerInfo info;
  /// The `#lowbit.scheme` printed, or "float" when the layer stayed float.
  std::string scheme;
  int64_t quantizedBytes = 0;
  /// Fed the float model's input of the layer.
  quant::ErrorMetrics isolated{};
  /// Inside the quantized model.
  quant::ErrorMetrics endToEnd{};
};

/// One result of the model.
struct OutputResult {
  int64_t index = 0;
  /// The result's `onnx.name`, or "output_<index>".
  std::string name;
  quant::ErrorMetrics error{};
};

struct LayerReport {
  std::string model;
  std::string pipeline;
  int64_t samples = 0;
  std::vector<LayerResult> layers;
  std::vector<OutputResult> outputs;

  int64_t totalFloatBytes() const;
  int64_t totalQuantizedBytes() const;
  /// 8 * quantized bytes / weight elements over all layers.
  double bitsPerWeight() const;
};

/// The report as pretty-printed JSON.
std::string formatJson(const LayerReport &report);
/// A Markdown summary: the outputs, then one table row per layer.
std::string formatMarkdown(const LayerReport &report);
/// An SVG bar chart of isolated and end-to-end SQNR per layer.
std::string formatSvg(const LayerReport &report);

/// Writes `text` to `path` through a temporary file renamed into place.
/// Returns "" or an error message naming the file.
std::string writeFileAtomically(const std::string &path,
                                const std::string &text);

/// SQNR as text: "inf" for an exact result, one decimal otherwise.
std::string formatSqnr(double sqnrDb);

/// A metric as JSON, which has no infinities: +inf (exact) is null, -inf
/// and NaN are the strings "-inf" and "nan".
llvm::json::Value jsonNumber(double value);

} // namespace lowbit::report

#endif // LOWBIT_REPORT_LAYERREPORT_H
