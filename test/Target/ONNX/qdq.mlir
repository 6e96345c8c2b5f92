// QuantizeLinear / DequantizeLinear become lowbit.quantize /
// lowbit.dequantize: uint8 with a zero-point is an affine u8 scheme (codes
// stored as i8), a per-axis int8 dequantize keeps its scales in a
// dense_resource tensor.

// RUN: lowbit-translate --import-onnx %S/Inputs/qdq.onnx --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// CHECK-LABEL: func.func @main(
// CHECK: %[[Q:.*]] = lowbit.quantize %arg0 as #lowbit.scheme<u8, affine> scales(5.000000e-02 : f32) zero_points(128 : i32) : tensor<2x4xf32> -> tensor<2x4xi8> loc("quant_x"(
// CHECK: lowbit.dequantize %[[Q]] as #lowbit.scheme<u8, affine> scales(5.000000e-02 : f32) zero_points(128 : i32) : tensor<2x4xi8> -> tensor<2x4xf32> loc("dequant_x"(
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x3xi8>
// CHECK: lowbit.dequantize %[[W]] as #lowbit.scheme<i8, axis = 1> scales(dense_resource<ws> : tensor<3xf32>) : tensor<4x3xi8> -> tensor<4x3xf32> loc("dequant_w"(
// CHECK: linalg.matmul

// The fusion pass recognizes the imported QDQ matmul.
// RUN: lowbit-translate --import-onnx %S/Inputs/qdq.onnx | lowbit-opt --lowbit-fuse-dequant-matmul | FileCheck %s --check-prefix=FUSED
// FUSED: lowbit.
