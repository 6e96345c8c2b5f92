//===- WeightReport.cpp - what weight quantization cost -------------------===//

#include "WeightReport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::lowbit;

/// JSON has no infinity: an exact weight reports SQNR as null.
static llvm::json::Value finiteOrNull(double value) {
  if (std::isfinite(value))
    return value;
  return nullptr;
}

std::string
mlir::lowbit::writeWeightReport(StringRef path, StringRef passName,
                                ArrayRef<WeightReportEntry> entries) {
  llvm::json::Array weights;
  int64_t floatBytes = 0, quantizedBytes = 0, elements = 0;
  for (const WeightReportEntry &entry : entries) {
    int64_t count = 1;
    for (int64_t dim : entry.shape)
      count *= dim;
    floatBytes += entry.floatBytes;
    quantizedBytes += entry.quantizedBytes;
    elements += count;
    weights.push_back(llvm::json::Object{
        {"name", entry.name},
        {"location", entry.location},
        {"shape", llvm::json::Array(entry.shape)},
        {"scheme", entry.scheme},
        {"float_bytes", entry.floatBytes},
        {"quantized_bytes", entry.quantizedBytes},
        {"bits_per_weight",
         count ? 8.0 * double(entry.quantizedBytes) / double(count) : 0.0},
        {"sqnr_db", finiteOrNull(entry.error.sqnrDb)},
        {"cosine", entry.error.cosine},
        {"max_abs_error", entry.error.maxAbs},
        {"relative_error", entry.error.relativeL2},
    });
  }
  llvm::json::Object report{
      {"version", 1},
      {"pass", passName},
      {"weights", std::move(weights)},
      {"total",
       llvm::json::Object{
           {"float_bytes", floatBytes},
           {"quantized_bytes", quantizedBytes},
           {"bits_per_weight",
            elements ? 8.0 * double(quantizedBytes) / double(elements) : 0.0},
       }},
  };

  std::string tempPath = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tempPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return "cannot write '" + tempPath + "': " + ec.message();
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(report))) << "\n";
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(tempPath);
      return "cannot write '" + tempPath + "'";
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, path)) {
    llvm::sys::fs::remove(tempPath);
    return "cannot write '" + path.str() + "': " + ec.message();
  }
  return "";
}
