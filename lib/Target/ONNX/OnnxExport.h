//===- OnnxExport.h - what the ONNX writer is asked to write ----*- C++ -*-===//
//
// The MLIR side of --export-onnx (ExportONNX.cpp, no exceptions) reads the
// quantized ops of a module into these plain structs; the writer
// (OnnxWriter.cpp, the only code that calls libonnx for export) patches the
// source model with them:
//
//   MatMul(A, W)   ->  MatMul(A, DequantizeLinear(Wq, scale, zero_point))
//                      or com.microsoft MatMulNBits(A, Wq4, scales, zp)
//   and, for a static activation scheme,
//   MatMul(A, ..)  ->  MatMul(DequantizeLinear(QuantizeLinear(A, s, z), s, z),
//   ..)
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_TARGET_ONNX_ONNXEXPORT_H
#define LOWBIT_LIB_TARGET_ONNX_ONNXEXPORT_H

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::onnx_export {

/// A quantized weight of a matmul, in lowbit's orientation.
struct QuantizedWeight {
  /// The MatMul or Gemm node (its name), or "" to find the node(s) reading
  /// `weightName` as their weight.
  std::string nodeName;
  /// The float initializer the weight was quantized from, when known.
  std::string weightName;
  /// Where the quantized op is, for messages.
  std::string location;
  /// ONNX TensorProto.DataType of the codes: INT8, UINT8, INT4, UINT4,
  /// FLOAT8E4M3FN or FLOAT8E5M2.
  int dataType = 0;
  int64_t n = 0, k = 0;
  /// N * K codes, row-major [N, K], one byte each: the two's-complement byte
  /// (INT8), the value (UINT8), the 4-bit pattern in the low nibble
  /// (INT4/UINT4) or the float8 bit pattern.
  std::vector<uint8_t> codes;
  /// -1: one scale for the tensor; 0: one per output channel (N); else the
  /// number of consecutive K elements sharing a scale.
  int64_t groupSize = 0;
  /// 1, N, or N * K / groupSize values, row-major [N, groups].
  std::vector<float> scales;
  /// As many as scales, or empty when all are zero.
  std::vector<int32_t> zeroPoints;
  // Scales are written in the source weight's float type (DequantizeLinear
  // outputs its scale's type, which must be what the node computes in).
};

/// Static quantization of a matmul's activation (input A), per tensor.
struct QuantizedActivation {
  /// As in QuantizedWeight: the node, or "" to find it by `weightName`.
  std::string nodeName;
  std::string weightName;
  std::string location;
  /// INT8 or UINT8.
  int dataType = 0;
  float scale = 1;
  int32_t zeroPoint = 0;
};

struct ExportRequest {
  std::string sourcePath;
  std::string outputPath;
  /// Write eligible 4-bit group-wise weights of MatMul nodes as
  /// com.microsoft MatMulNBits instead of DequantizeLinear.
  bool matmulNBits = false;
  /// Initializers of at least this many bytes go to `<output>.data`
  /// (external data); negative: never.
  int64_t externalDataThreshold = 1024;
  std::vector<QuantizedWeight> weights;
  std::vector<QuantizedActivation> activations;
};

/// What the writer did, for the tool's summary.
struct ExportSummary {
  int64_t dequantizeLinear = 0;
  int64_t matmulNBits = 0;
  int64_t quantizedActivations = 0;
  int64_t opset = 0;
  int64_t externalBytes = 0;
};

/// Writes the patched model (and its external data file) atomically.
/// Returns "" or an error message naming the node or file.
std::string writeQuantizedOnnx(const ExportRequest &request,
                               ExportSummary &summary);

} // namespace lowbit::onnx_export

#endif // LOWBIT_LIB_TARGET_ONNX_ONNXEXPORT_H
