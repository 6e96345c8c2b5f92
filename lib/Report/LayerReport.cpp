//===- LayerReport.cpp - the per-layer report as JSON and Markdown --------===//

#include "lowbit/Report/LayerReport.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace lowbit::report;
using lowbit::quant::ErrorMetrics;

int64_t LayerReport::totalFloatBytes() const {
  int64_t total = 0;
  for (const LayerResult &layer : layers)
    total += layer.info.floatBytes;
  return total;
}

int64_t LayerReport::totalQuantizedBytes() const {
  int64_t total = 0;
  for (const LayerResult &layer : layers)
    total += layer.quantizedBytes;
  return total;
}

double LayerReport::bitsPerWeight() const {
  int64_t elements = 0;
  for (const LayerResult &layer : layers)
    elements += layer.info.weightElements;
  return elements ? 8.0 * double(totalQuantizedBytes()) / double(elements)
                  : 0.0;
}

// -inf (error on a zero reference) and NaN (non-finite values) must not
// pass for exact.
llvm::json::Value lowbit::report::jsonNumber(double value) {
  if (std::isfinite(value))
    return value;
  if (std::isnan(value))
    return "nan";
  if (value < 0)
    return "-inf";
  return nullptr;
}

static llvm::json::Object metrics(const ErrorMetrics &error) {
  return llvm::json::Object{{"sqnr_db", jsonNumber(error.sqnrDb)},
                            {"cosine", jsonNumber(error.cosine)},
                            {"max_abs_error", jsonNumber(error.maxAbs)},
                            {"relative_error", jsonNumber(error.relativeL2)}};
}

std::string lowbit::report::formatJson(const LayerReport &report) {
  llvm::json::Array layers;
  for (const LayerResult &layer : report.layers) {
    const LayerInfo &info = layer.info;
    layers.push_back(llvm::json::Object{
        {"name", info.name},
        {"location", info.location},
        {"weight", info.weight},
        {"op", info.op},
        {"position", info.position},
        {"scheme", layer.scheme},
        {"weight_elements", info.weightElements},
        {"float_bytes", info.floatBytes},
        {"quantized_bytes", layer.quantizedBytes},
        {"bits_per_weight",
         info.weightElements
             ? 8.0 * double(layer.quantizedBytes) / double(info.weightElements)
             : 0.0},
        {"isolated", metrics(layer.isolated)},
        {"end_to_end", metrics(layer.endToEnd)}});
  }
  llvm::json::Array outputs;
  for (const OutputResult &output : report.outputs) {
    llvm::json::Object object = metrics(output.error);
    object["index"] = output.index;
    object["name"] = output.name;
    outputs.push_back(std::move(object));
  }
  llvm::json::Object root{
      {"version", 1},
      {"tool", "lowbit-report"},
      {"model", report.model},
      {"pipeline", report.pipeline},
      {"samples", report.samples},
      {"layers", std::move(layers)},
      {"outputs", std::move(outputs)},
      {"total",
       llvm::json::Object{{"float_bytes", report.totalFloatBytes()},
                          {"quantized_bytes", report.totalQuantizedBytes()},
                          {"bits_per_weight", report.bitsPerWeight()}}}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}

std::string lowbit::report::formatSqnr(double sqnrDb) {
  if (std::isinf(sqnrDb))
    return sqnrDb > 0 ? "inf" : "-inf";
  if (std::isnan(sqnrDb))
    return "nan";
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.1f", sqnrDb);
  return text;
}

/// "0.99994" or "1" (exact).
static std::string formatCosine(double cosine) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.5f", cosine);
  return text;
}

static std::string formatBytes(int64_t bytes) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (bytes >= (int64_t(1) << 20))
    os << llvm::format("%.2f MiB", double(bytes) / double(1 << 20));
  else if (bytes >= 1024)
    os << llvm::format("%.1f KiB", double(bytes) / 1024.0);
  else
    os << bytes << " B";
  return text;
}

/// `|` would end a Markdown cell.
static std::string cell(const std::string &text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|')
      escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string lowbit::report::formatMarkdown(const LayerReport &report) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "# Quantization error report\n\n"
     << "Model `" << report.model << "`, pipeline `" << report.pipeline << "`, "
     << report.samples
     << " sample(s). Weights: " << formatBytes(report.totalFloatBytes())
     << " -> " << formatBytes(report.totalQuantizedBytes())
     << llvm::format(" (%.2f bits/weight)", report.bitsPerWeight()) << ".\n\n"
     << "| output | SQNR dB | cosine | max abs err | rel err |\n"
     << "|---|---|---|---|---|\n";
  for (const OutputResult &output : report.outputs)
    os << "| " << cell(output.name) << " | " << formatSqnr(output.error.sqnrDb)
       << " | " << formatCosine(output.error.cosine) << " | "
       << llvm::format("%.4g", output.error.maxAbs) << " | "
       << llvm::format("%.4g", output.error.relativeL2) << " |\n";
  os << "\n| layer | scheme | weight before | after | isolated SQNR dB | "
        "isolated cosine | end-to-end SQNR dB | end-to-end cosine | "
        "end-to-end rel err |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const LayerResult &layer : report.layers)
    os << "| " << cell(layer.info.name) << " | `" << cell(layer.scheme)
       << "` | " << formatBytes(layer.info.floatBytes) << " | "
       << formatBytes(layer.quantizedBytes) << " | "
       << formatSqnr(layer.isolated.sqnrDb) << " | "
       << formatCosine(layer.isolated.cosine) << " | "
       << formatSqnr(layer.endToEnd.sqnrDb) << " | "
       << formatCosine(layer.endToEnd.cosine) << " | "
       << llvm::format("%.4g", layer.endToEnd.relativeL2) << " |\n";
  os << "\nIsolated: the layer fed the float model's own input of it. End to "
        "end: the layer inside the quantized model, carrying the error of "
        "the layers before it. SQNR = 10 log10(sum y^2 / sum (y - y')^2) "
        "against the float model.\n";
  return text;
}

std::string lowbit::report::writeFileAtomically(const std::string &path,
                                                const std::string &text) {
  std::string temporary = path + ".tmp";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temporary, ec);
    if (ec)
      return "cannot write '" + temporary + "': " + ec.message();
    os << text;
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(temporary);
      return "cannot write '" + temporary + "': " + os.error().message();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return "cannot rename '" + temporary + "' to '" + path +
           "': " + ec.message();
  }
  return "";
}
