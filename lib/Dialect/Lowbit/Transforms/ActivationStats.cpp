//===- ActivationStats.cpp - activation ranges from a statistics file -----===//

#include "ActivationStats.h"
#include "JsonFile.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::lowbit;

FailureOr<llvm::StringMap<ActivationRange>>
mlir::lowbit::readActivationStats(StringRef path, std::string &error) {
  auto fail = [&](const Twine &message) {
    error = ("statistics file '" + path + "': " + message).str();
    return failure();
  };
  FailureOr<llvm::json::Value> json =
      readVersionedJsonFile(path, "statistics", error);
  if (failed(json))
    return failure();
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *activations = root->getObject("activations");
  if (!activations)
    return fail("expected an \"activations\" object");

  llvm::StringMap<ActivationRange> ranges;
  for (const auto &[key, value] : *activations) {
    const llvm::json::Object *entry = value.getAsObject();
    std::optional<double> lo = entry ? entry->getNumber("min") : std::nullopt;
    std::optional<double> hi = entry ? entry->getNumber("max") : std::nullopt;
    if (!lo || !hi)
      return fail("activation '" + key.str() +
                  "' needs numeric \"min\" and \"max\"");
    if (!std::isfinite(*lo) || !std::isfinite(*hi) || *lo > *hi)
      return fail("activation '" + key.str() + "' has an invalid range [" +
                  std::to_string(*lo) + ", " + std::to_string(*hi) + "]");
    ActivationRange range{*lo, *hi, std::nullopt};
    if (const llvm::json::Object *histogram = entry->getObject("histogram")) {
      std::optional<double> histLo = histogram->getNumber("lo");
      std::optional<double> histHi = histogram->getNumber("hi");
      const llvm::json::Array *counts = histogram->getArray("counts");
      if (!histLo || !histHi || !counts)
        return fail("activation '" + key.str() +
                    "': \"histogram\" needs numeric \"lo\", \"hi\" and a "
                    "\"counts\" array");
      std::vector<uint64_t> values;
      for (const llvm::json::Value &count : *counts) {
        std::optional<int64_t> n = count.getAsInteger();
        if (!n || *n < 0)
          return fail("activation '" + key.str() +
                      "': histogram counts must be non-negative integers");
        values.push_back(static_cast<uint64_t>(*n));
      }
      std::string histogramError;
      range.histogram = ::lowbit::calib::Histogram::fromState(
          values, *histLo, *histHi, *lo, *hi, /*nonFinite=*/0, &histogramError);
      if (!range.histogram)
        return fail("activation '" + key.str() +
                    "': inconsistent histogram: " + histogramError);
    }
    ranges[key.str()] = std::move(range);
  }
  return ranges;
}
