//===- OnnxModel.h - a plain C++ description of an ONNX model ---*- C++ -*-===//
//
// The ONNX reader (compiled with exceptions, the only code that calls
// libonnx) turns a ModelProto into this description; the MLIR builder
// (compiled without exceptions) reads only this. Tensor bytes are not copied
// here: they point into the parsed protobuf, which `keepAlive` owns, or name
// a slice of an external data file that the builder maps.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_ONNX_ONNXMODEL_H
#define LOWBIT_LIB_TARGET_ONNX_ONNXMODEL_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lowbit::onnx_import {

/// ONNX TensorProto.DataType codes, by number: Debian's onnx 1.12 headers
/// predate the float8 and int4 codes.
enum OnnxDataType : int {
  kUndefined = 0,
  kFloat = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
};

/// The ONNX name of a data type code ("FLOAT", "INT8", ... or "<code N>").
std::string dataTypeName(int dataType);

/// Bits per element of a data type with a fixed-size encoding; 0 otherwise.
unsigned dataTypeBits(int dataType);

/// A tensor value (initializer, Constant node or tensor attribute).
struct OnnxTensor {
  std::string name;
  int dataType = kUndefined;
  std::vector<int64_t> dims;
  /// Little-endian element bytes, ONNX layout (4-bit types: two per byte,
  /// low nibble first; bool: one byte each). Points into `ownedData` or into
  /// the parsed model. Empty with `externalPath` set for external data.
  std::string_view data;
  /// Bytes converted from typed fields (float_data, int32_data, ...).
  std::string ownedData;
  /// External data: absolute path, offset and length (length -1: to the
  /// end of the file).
  std::string externalPath;
  int64_t externalOffset = 0;
  int64_t externalLength = -1;

  bool isExternal() const { return !externalPath.empty(); }
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
};

/// A node attribute. Graph-valued attributes are recorded with kind Other.
struct OnnxAttribute {
  enum Kind { Float, Int, String, Tensor, Floats, Ints, Strings, Other };
  Kind kind = Other;
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::shared_ptr<OnnxTensor> t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

/// One node of the graph.
struct OnnxNode {
  std::string name;
  std::string opType;
  std::string domain;
  /// Input names; "" for an omitted optional input.
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, OnnxAttribute> attributes;

  const OnnxAttribute *getAttr(const std::string &attrName) const {
    auto it = attributes.find(attrName);
    return it == attributes.end() ? nullptr : &it->second;
  }
};

/// The type of a value: element type and dims (-1 for a dynamic dim).
struct OnnxValueType {
  int dataType = kUndefined;
  bool hasShape = false;
  std::vector<int64_t> dims;
  /// Symbolic names of the dims ("" where none), for diagnostics.
  std::vector<std::string> dimParams;
};

/// A graph input or output.
struct OnnxGraphValue {
  std::string name;
  OnnxValueType type;
};

/// The whole model, after shape inference.
struct OnnxModel {
  /// Owns the parsed protobuf that tensor data points into.
  std::shared_ptr<void> keepAlive;
  std::string graphName;
  int64_t irVersion = 0;
  /// Opset version per domain ("" is the default ONNX domain).
  std::map<std::string, int64_t> opsets;
  /// Non-initializer graph inputs, in order.
  std::vector<OnnxGraphValue> inputs;
  std::vector<OnnxGraphValue> outputs;
  std::vector<std::shared_ptr<OnnxTensor>> initializers;
  std::vector<OnnxNode> nodes;
  /// Types of every value that has one (inputs, outputs, value_info after
  /// shape inference, initializers).
  std::map<std::string, OnnxValueType> valueTypes;
};

/// Shapes given on the command line, applied to graph inputs before shape
/// inference.
using InputShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

/// Reads and shape-infers the model at `path`. Never throws: every error
/// (I/O, protobuf, ONNX checks and shape inference) returns false with
/// `error` set.
bool readOnnxModel(const std::string &path, const InputShapes &inputShapes,
                   OnnxModel &model, std::string &error);

/// Reads a serialized TensorProto (the `input_0.pb` files of ONNX test data
/// sets). Typed fields are converted to bytes; external data is not
/// supported here. Returns false and sets `error` (naming `path`) when the
/// file is missing, truncated or not a TensorProto.
bool readOnnxTensorFile(const std::string &path, OnnxTensor &tensor,
                        std::string &error);

} // namespace lowbit::onnx_import

#endif // LOWBIT_LIB_TARGET_ONNX_ONNXMODEL_H
