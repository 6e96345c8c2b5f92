//===- JsonFile.cpp - versioned JSON input files --------------------------===//

#include "JsonFile.h"

#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::lowbit;

FailureOr<llvm::json::Value>
mlir::lowbit::readVersionedJsonFile(StringRef path, StringRef kind,
                                    std::string &error) {
  auto fail = [&](const Twine &message) {
    error = (kind + " file '" + path + "': " + message).str();
    return failure();
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return fail("cannot read it: " + buffer.getError().message());
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail("not valid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root)
    return fail("expected a JSON object at the top level");
  std::optional<int64_t> version = root->getInteger("version");
  if (!version || *version != 1)
    return fail("expected \"version\": 1");
  return std::move(*json);
}
