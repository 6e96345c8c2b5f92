//===- ImportONNX.cpp - ONNX graph to func.func @main ---------------------===//
//
// Builds `func.func @main` from the OnnxModel the reader produced: graph
// inputs (initializers excluded) become arguments and outputs results, both
// tagged `onnx.name`; nodes are converted in graph order (ONNX requires a
// topological order), each under `loc("<node name>")` fused with the file
// location; initializers become `arith.constant dense_resource<name>` on
// first use. Raw initializer bytes are copied into their blob once;
// external data is memory-mapped and the mapping becomes the blob.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/ONNX/ImportONNX.h"

#include "Importer.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"

#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;
using namespace mlir::lowbit::onnx_import;
namespace ox = ::lowbit::onnx_import;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

FailureOr<Type> Importer::getElementType(int dataType, Location loc,
                                         StringRef what) {
  MLIRContext *ctx = context;
  switch (dataType) {
  case ox::kFloat:
    return Type(Float32Type::get(ctx));
  case ox::kFloat16:
    return Type(Float16Type::get(ctx));
  case ox::kBFloat16:
    return Type(BFloat16Type::get(ctx));
  case ox::kDouble:
    return Type(Float64Type::get(ctx));
  case ox::kBool:
    return Type(IntegerType::get(ctx, 1));
  case ox::kInt4:
  case ox::kUInt4:
    return Type(IntegerType::get(ctx, 4));
  case ox::kInt8:
  case ox::kUInt8:
    return Type(IntegerType::get(ctx, 8));
  case ox::kInt16:
  case ox::kUInt16:
    return Type(IntegerType::get(ctx, 16));
  case ox::kInt32:
  case ox::kUInt32:
    return Type(IntegerType::get(ctx, 32));
  case ox::kInt64:
  case ox::kUInt64:
    return Type(IntegerType::get(ctx, 64));
  case ox::kFloat8E4M3FN:
    return Type(Float8E4M3FNType::get(ctx));
  case ox::kFloat8E4M3FNUZ:
    return Type(Float8E4M3FNUZType::get(ctx));
  case ox::kFloat8E5M2:
    return Type(Float8E5M2Type::get(ctx));
  case ox::kFloat8E5M2FNUZ:
    return Type(Float8E5M2FNUZType::get(ctx));
  default:
    return emitError(loc) << what << " has unsupported data type "
                          << ox::dataTypeName(dataType);
  }
}

FailureOr<RankedTensorType> Importer::getTensorType(const OnnxValueType &type,
                                                    Location loc,
                                                    StringRef what) {
  FailureOr<Type> elementType = getElementType(type.dataType, loc, what);
  if (failed(elementType))
    return failure();
  if (!type.hasShape)
    return emitError(loc) << what << " has no known shape";
  for (size_t i = 0; i < type.dims.size(); ++i)
    if (type.dims[i] < 0) {
      InFlightDiagnostic diag = emitError(loc)
                                << what << " has a dynamic dimension " << i;
      if (!type.dimParams[i].empty())
        diag << " ('" << type.dimParams[i] << "')";
      return diag;
    }
  return RankedTensorType::get(type.dims, *elementType);
}

std::optional<RankedTensorType> Importer::getInferredType(StringRef name) {
  auto it = model.valueTypes.find(name.str());
  if (it == model.valueTypes.end() || !it->second.hasShape)
    return std::nullopt;
  for (int64_t dim : it->second.dims)
    if (dim < 0)
      return std::nullopt;
  // Errors are not wanted here: callers fall back or report themselves.
  ScopedDiagnosticHandler silence(context,
                                  [](Diagnostic &) { return success(); });
  FailureOr<Type> elementType =
      getElementType(it->second.dataType, fileLoc, name);
  if (failed(elementType))
    return std::nullopt;
  return RankedTensorType::get(it->second.dims, *elementType);
}

int Importer::getDataType(StringRef name) const {
  auto it = model.valueTypes.find(name.str());
  return it == model.valueTypes.end() ? ox::kUndefined : it->second.dataType;
}

int64_t Importer::getOpset(const OnnxNode &node) const {
  auto it = model.opsets.find(node.domain);
  return it == model.opsets.end() ? 0 : it->second;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

static int64_t expectedBytes(const OnnxTensor &tensor) {
  unsigned bits = ox::dataTypeBits(tensor.dataType);
  return (tensor.numElements() * bits + 7) / 8;
}

/// Maps (or, for a small slice, reads) the external data of `tensor`.
static FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
openExternal(const OnnxTensor &tensor, Location loc) {
  uint64_t fileSize = 0;
  if (std::error_code ec =
          llvm::sys::fs::file_size(tensor.externalPath, fileSize))
    return emitError(loc) << "cannot open external data '"
                          << tensor.externalPath << "' of tensor '"
                          << tensor.name << "': " << ec.message();
  int64_t length = tensor.externalLength >= 0
                       ? tensor.externalLength
                       : static_cast<int64_t>(fileSize) - tensor.externalOffset;
  if (tensor.externalOffset < 0 || length < 0 ||
      static_cast<uint64_t>(tensor.externalOffset + length) > fileSize)
    return emitError(loc) << "external data of tensor '" << tensor.name
                          << "' (offset " << tensor.externalOffset
                          << ", length " << length << ") lies outside '"
                          << tensor.externalPath << "' of " << fileSize
                          << " bytes";
  auto buffer = llvm::MemoryBuffer::getFileSlice(tensor.externalPath, length,
                                                 tensor.externalOffset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read external data '"
                          << tensor.externalPath << "' of tensor '"
                          << tensor.name
                          << "': " << buffer.getError().message();
  return std::move(*buffer);
}

FailureOr<ArrayRef<char>> Importer::getBytes(const OnnxTensor &tensor,
                                             Location loc) {
  if (!ox::dataTypeBits(tensor.dataType))
    return emitError(loc) << "tensor '" << tensor.name
                          << "' has unsupported data type "
                          << ox::dataTypeName(tensor.dataType);
  ArrayRef<char> bytes(tensor.data.data(), tensor.data.size());
  if (tensor.isExternal()) {
    std::string key = tensor.externalPath + ":" +
                      std::to_string(tensor.externalOffset) + ":" +
                      std::to_string(tensor.externalLength);
    auto &slot = externalSlices[key];
    if (!slot) {
      auto buffer = openExternal(tensor, loc);
      if (failed(buffer))
        return failure();
      slot = std::move(*buffer);
    }
    bytes = ArrayRef<char>(slot->getBufferStart(), slot->getBufferSize());
  }
  if (static_cast<int64_t>(bytes.size()) != expectedBytes(tensor))
    return emitError(loc) << "tensor '" << tensor.name << "' holds "
                          << bytes.size() << " bytes, expected "
                          << expectedBytes(tensor) << " for "
                          << tensor.numElements() << " elements of "
                          << ox::dataTypeName(tensor.dataType);
  return bytes;
}

FailureOr<SmallVector<int64_t>> Importer::getInts(const OnnxTensor &tensor,
                                                  Location loc) {
  FailureOr<ArrayRef<char>> bytes = getBytes(tensor, loc);
  if (failed(bytes))
    return failure();
  SmallVector<int64_t> out;
  int64_t n = tensor.numElements();
  const char *p = bytes->data();
  for (int64_t i = 0; i < n; ++i) {
    switch (tensor.dataType) {
    case ox::kInt64: {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      out.push_back(v);
      break;
    }
    case ox::kInt32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      out.push_back(v);
      break;
    }
    case ox::kInt8:
      out.push_back(static_cast<int8_t>(p[i]));
      break;
    case ox::kUInt8:
    case ox::kBool:
      out.push_back(static_cast<uint8_t>(p[i]));
      break;
    default:
      return emitError(loc) << "tensor '" << tensor.name << "' of type "
                            << ox::dataTypeName(tensor.dataType)
                            << " where integers are expected";
    }
  }
  return out;
}

FailureOr<SmallVector<double>> Importer::getFloats(const OnnxTensor &tensor,
                                                   Location loc) {
  if (tensor.dataType != ox::kFloat && tensor.dataType != ox::kDouble) {
    FailureOr<SmallVector<int64_t>> ints = getInts(tensor, loc);
    if (failed(ints))
      return failure();
    return SmallVector<double>(ints->begin(), ints->end());
  }
  FailureOr<ArrayRef<char>> bytes = getBytes(tensor, loc);
  if (failed(bytes))
    return failure();
  SmallVector<double> out;
  for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
    if (tensor.dataType == ox::kFloat) {
      float v;
      std::memcpy(&v, bytes->data() + 4 * i, 4);
      out.push_back(v);
    } else {
      double v;
      std::memcpy(&v, bytes->data() + 8 * i, 8);
      out.push_back(v);
    }
  }
  return out;
}

FailureOr<Value> Importer::materializeConstant(const OnnxTensor &tensor,
                                               StringRef key, Location loc) {
  std::string what = "tensor '" + tensor.name + "'";
  FailureOr<Type> elementType = getElementType(tensor.dataType, loc, what);
  if (failed(elementType))
    return failure();
  auto type = RankedTensorType::get(tensor.dims, *elementType);
  FailureOr<ArrayRef<char>> bytes = getBytes(tensor, loc);
  if (failed(bytes))
    return failure();

  ElementsAttr attr;
  unsigned bits = ox::dataTypeBits(tensor.dataType);
  if (bits >= 8 && !elementType->isInteger(1) && tensor.numElements() <= 16) {
    // Small values (scalars, shapes, Constant-node outputs) read best
    // inline, and upstream folders can read them: dense_resource is for
    // weights.
    attr = DenseElementsAttr::getFromRawBuffer(type, *bytes);
  } else if (elementType->isInteger(1)) {
    // Booleans are small masks; dense_resource has no byte-per-bool form.
    SmallVector<bool> bools;
    for (char c : *bytes)
      bools.push_back(c != 0);
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  } else {
    AsmResourceBlob blob;
    unsigned width =
        std::max<unsigned>(1, ox::dataTypeBits(tensor.dataType) / 8);
    auto address = reinterpret_cast<uintptr_t>(bytes->data());
    if (tensor.isExternal() && address % width == 0) {
      // Hand a fresh mapping to the blob: the weights are never copied.
      FailureOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
          openExternal(tensor, loc);
      if (failed(buffer))
        return failure();
      llvm::MemoryBuffer *raw = buffer->get();
      size_t align = 1;
      auto start = reinterpret_cast<uintptr_t>(raw->getBufferStart());
      while (align < 8 && start % (align * 2) == 0)
        align *= 2;
      std::shared_ptr<llvm::MemoryBuffer> owner(std::move(*buffer));
      blob = AsmResourceBlob(
          ArrayRef<char>(raw->getBufferStart(), raw->getBufferSize()),
          std::max<size_t>(align, width),
          [owner](void *, size_t, size_t) mutable { owner.reset(); },
          /*dataIsMutable=*/false);
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(*bytes,
                                                           /*align=*/8);
    }
    attr = DenseResourceElementsAttr::get(type, key, std::move(blob));
  }
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr))
      .getResult();
}

FailureOr<Value> Importer::getValue(StringRef name, Location loc) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto constant = constants.find(name);
  if (constant != constants.end()) {
    Location constLoc = NameLoc::get(StringAttr::get(context, name), fileLoc);
    FailureOr<Value> value =
        materializeConstant(*constant->second, name, constLoc);
    if (failed(value))
      return failure();
    values[name] = *value;
    return *value;
  }
  return emitError(loc) << "value '" << name
                        << "' is used before it is defined";
}

const OnnxTensor *Importer::getConstant(StringRef name) const {
  auto it = constants.find(name);
  return it == constants.end() ? nullptr : it->second;
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run() {
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argTypes;
  for (const auto &input : model.inputs) {
    std::string what = "graph input '" + input.name + "'";
    if (!input.type.hasShape)
      return emitError(fileLoc) << what
                                << " has no shape; give one with "
                                   "--input-shape="
                                << input.name << ":D0xD1...",
             nullptr;
    for (size_t i = 0; i < input.type.dims.size(); ++i)
      if (input.type.dims[i] < 0) {
        InFlightDiagnostic diag = emitError(fileLoc)
                                  << what << " has a dynamic dimension " << i;
        if (!input.type.dimParams[i].empty())
          diag << " ('" << input.type.dimParams[i] << "')";
        diag << "; fix it with --input-shape=" << input.name << ":";
        for (size_t j = 0; j < input.type.dims.size(); ++j)
          diag << (j ? "x" : "")
               << (input.type.dims[j] < 0 ? std::string("N")
                                          : std::to_string(input.type.dims[j]));
        return nullptr;
      }
    FailureOr<RankedTensorType> type = getTensorType(input.type, fileLoc, what);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
  }
  SmallVector<Type> resultTypes;
  for (const auto &output : model.outputs) {
    // A result may be unknown here; it is taken from its value below.
    (void)output;
  }

  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(model.inputs)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(input.name));
    values[input.name] = entry->getArgument(i);
  }
  for (const auto &init : model.initializers)
    if (!values.count(init->name))
      constants[init->name] = init.get();
  builder.setInsertionPointToEnd(entry);

  for (const OnnxNode &node : model.nodes) {
    std::string locName = node.name;
    if (locName.empty())
      locName = node.outputs.empty() ? node.opType : node.outputs.front();
    Location loc = NameLoc::get(StringAttr::get(context, locName), fileLoc);
    if (failed(convertNode(*this, node, loc)))
      return nullptr;
    for (const std::string &output : node.outputs)
      if (!output.empty() && !values.count(output) && !constants.count(output))
        return emitError(loc)
                   << "node '" << node.name << "' (" << node.opType
                   << "): output '" << output << "' is not supported",
               nullptr;
  }

  SmallVector<Value> results;
  for (const auto &output : model.outputs) {
    FailureOr<Value> value = getValue(output.name, fileLoc);
    if (failed(value))
      return nullptr;
    results.push_back(*value);
    resultTypes.push_back(value->getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(model.outputs))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name));
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

bool mlir::lowbit::parseOnnxInputShape(StringRef spec, std::string &name,
                                       std::vector<int64_t> &dims,
                                       std::string &error) {
  size_t colon = spec.rfind(':');
  if (colon == StringRef::npos || colon == 0) {
    error = "--input-shape expects name:D0xD1x..., got '" + spec.str() + "'";
    return false;
  }
  name = spec.take_front(colon).str();
  dims.clear();
  StringRef rest = spec.drop_front(colon + 1);
  if (rest.empty())
    return true;
  SmallVector<StringRef> parts;
  rest.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0) {
      error = "--input-shape: '" + part.str() + "' in '" + spec.str() +
              "' is not a dimension size";
      return false;
    }
    dims.push_back(dim);
  }
  return true;
}

void mlir::lowbit::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, tensor::TensorDialect, LowbitDialect>();
}

OwningOpRef<ModuleOp>
mlir::lowbit::importOnnxFile(StringRef path, MLIRContext *context,
                             const OnnxImportOptions &options) {
  DialectRegistry registry;
  registerOnnxImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();

  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  OnnxModel model;
  std::string error;
  if (!::lowbit::onnx_import::readOnnxModel(path.str(), options.inputShapes,
                                            model, error)) {
    emitError(fileLoc) << error;
    return nullptr;
  }
  Importer importer(model, context, fileLoc);
  OwningOpRef<ModuleOp> module = importer.run();
  if (!module)
    return nullptr;
  if (failed(verify(*module))) {
    emitError(fileLoc) << "the imported module does not verify";
    return nullptr;
  }
  return module;
}
