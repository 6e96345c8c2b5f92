//===- TensorFile.cpp - ONNX TensorProto files as arrays ------------------===//

#include "lowbit/Target/ONNX/TensorFile.h"

#include "OnnxModel.h"

#include <cstring>
#include <optional>

using namespace lowbit::onnx_import;
using ::lowbit::io::DType;

/// The .npy dtype holding an ONNX element type.
static std::optional<DType> toDType(int dataType) {
  switch (dataType) {
  case kFloat:
    return DType::F32;
  case kDouble:
    return DType::F64;
  case kFloat16:
    return DType::F16;
  case kInt8:
    return DType::I8;
  case kUInt8:
    return DType::U8;
  case kInt16:
    return DType::I16;
  case kInt32:
    return DType::I32;
  case kInt64:
    return DType::I64;
  case kBool:
    return DType::Bool;
  default:
    return std::nullopt;
  }
}

bool lowbit::onnx_import::readTensorProtoFile(const std::string &path,
                                              ::lowbit::io::NpyArray &array,
                                              std::string &name,
                                              std::string &error) {
  OnnxTensor tensor;
  if (!readOnnxTensorFile(path, tensor, error))
    return false;
  std::optional<DType> dtype = toDType(tensor.dataType);
  if (!dtype) {
    error = "'" + path + "': tensor '" + tensor.name + "' has element type " +
            dataTypeName(tensor.dataType) +
            ", which lowbit's arrays do not hold";
    return false;
  }
  array.dtype = *dtype;
  array.shape = tensor.dims;
  array.data.assign(tensor.data.begin(), tensor.data.end());
  name = tensor.name;
  return true;
}
