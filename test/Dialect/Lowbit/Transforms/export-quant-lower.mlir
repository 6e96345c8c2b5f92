// Exported IR is plain upstream IR: upstream mlir-opt parses it and its
// --lower-quant-ops lowers every quant.qcast / quant.dcast we emit (per
// tensor, per axis, sub-channel, and the dequantized weight of a matmul).
// RUN: lowbit-opt %s --lowbit-export-quant | %upstream_mlir_opt --lower-quant-ops | FileCheck %s
// RUN: lowbit-opt %s --lowbit-export-quant --lower-quant-ops | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor(
// CHECK-NOT: quant.qcast
// CHECK: arith.divf
// CHECK: arith.fptosi
func.func @quantize_per_tensor(%x: tensor<4x8xf32>) -> tensor<4x8xi8> {
  %c = lowbit.quantize %x as #lowbit.scheme<i8, affine> scales(0.5 : f32) zero_points(3 : i32) : tensor<4x8xf32> -> tensor<4x8xi8>
  return %c : tensor<4x8xi8>
}

// CHECK-LABEL: func.func @dequantize_per_axis(
// CHECK-NOT: quant.dcast
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @dequantize_per_axis(%c: tensor<2x3xi8>) -> tensor<2x3xf32> {
  %y = lowbit.dequantize %c as #lowbit.scheme<u8, axis = 0, affine> scales(dense<[0.5, 2.0]> : tensor<2xf32>) zero_points(dense<[128, 7]> : tensor<2xi32>) : tensor<2x3xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @dequant_matmul_group_i4(
// CHECK-NOT: quant.dcast
// CHECK: linalg.generic
// CHECK: arith.sitofp
// CHECK: linalg.matmul
func.func @dequant_matmul_group_i4(%x: tensor<3x8xf32>, %w: tensor<2x8xi4>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 4, axis = 1> scales(dense<[[1.0, 0.5], [0.25, 2.0]]> : tensor<2x2xf32>) bias(%b : tensor<2xf32>) : tensor<3x8xf32>, tensor<2x8xi4> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
