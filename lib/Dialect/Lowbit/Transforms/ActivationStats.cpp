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
    ranges[key.str()] = {*lo, *hi};
  }
  return ranges;
}
