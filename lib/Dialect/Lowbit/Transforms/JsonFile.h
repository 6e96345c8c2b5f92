//===- JsonFile.h - versioned JSON input files ------------------*- C++ -*-===//
//
// Reading the JSON files passes take as options (statistics, policies):
// the file, the JSON, a top-level object and `"version": 1`, with errors that
// name the file.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_JSONFILE_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_JSONFILE_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mlir::lowbit {

/// Reads `path` as a JSON object carrying `"version": 1`. On failure sets
/// `error` to "<kind> file '<path>': <what is wrong>".
FailureOr<llvm::json::Value>
readVersionedJsonFile(StringRef path, StringRef kind, std::string &error);

} // namespace mlir::lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_JSONFILE_H
