// Export then import gives back the lowbit ops we started from: the same
// schemes, scales and zero-points (f16/bf16 scale types come back as f32
// with the same values; large tables come back as dense_resource blobs).
// RUN: lowbit-opt %s --split-input-file --lowbit-export-quant --lowbit-import-quant | FileCheck %s

// CHECK-LABEL: func.func @quantize_dequantize(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[C:.*]] = lowbit.quantize %[[X]] as #lowbit.scheme<u8, affine> scales(2.500000e-01 : f32) zero_points(128 : i32) : tensor<4x8xf32> -> tensor<4x8xi8>
// CHECK-NEXT: %[[Y:.*]] = lowbit.dequantize %[[C]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32) : tensor<4x8xi8> -> tensor<4x8xf32>
// CHECK-NEXT: return %[[C]], %[[Y]]
// CHECK-NOT: quant.
func.func @quantize_dequantize(%x: tensor<4x8xf32>) -> (tensor<4x8xi8>, tensor<4x8xf32>) {
  %c = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.25 : f32) zero_points(128 : i32) : tensor<4x8xf32> -> tensor<4x8xi8>
  %y = lowbit.dequantize %c as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x8xi8> -> tensor<4x8xf32>
  return %c, %y : tensor<4x8xi8>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @per_axis_and_group(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, axis = 1, affine> scales(dense<[5.000000e-01, 2.500000e-01, 1.250000e-01]> : tensor<3xf32>) zero_points(dense<[1, 0, -1]> : tensor<3xi32>) : tensor<2x3xi8> -> tensor<2x3xf32>
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<u4, group = 4, axis = 1> scales(dense<{{\[}}[1.000000e+00, 5.000000e-01], [2.500000e-01, 2.000000e+00]]> : tensor<2x2xf32>) : tensor<2x8xi4> -> tensor<2x8xf32>
func.func @per_axis_and_group(%a: tensor<2x3xi8>, %b: tensor<2x8xi4>) -> (tensor<2x3xf32>, tensor<2x8xf32>) {
  %x = lowbit.dequantize %a as #lowbit.scheme<i8, axis = 1, affine> scales(dense<[0.5, 0.25, 0.125]> : tensor<3xf32>) zero_points(dense<[1, 0, -1]> : tensor<3xi32>) : tensor<2x3xi8> -> tensor<2x3xf32>
  %y = lowbit.dequantize %b as #lowbit.scheme<u4, group = 4, axis = 1, scale = f16> scales(dense<[[1.0, 0.5], [0.25, 2.0]]> : tensor<2x2xf16>) : tensor<2x8xi4> -> tensor<2x8xf32>
  return %x, %y : tensor<2x3xf32>, tensor<2x8xf32>
}

// -----

// A dequant_matmul comes back as dequantize + linalg.matmul, which
// lowbit-fuse-dequant-matmul fuses again.
// CHECK-LABEL: func.func @dequant_matmul(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<2x4xi8>
// CHECK: %[[WF:.*]] = lowbit.dequantize %[[W]] as #lowbit.scheme<i8, axis = 0> scales(dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>) : tensor<2x4xi8> -> tensor<2x4xf32>
// CHECK: linalg.matmul {{.*}} ins(%[[X]], %[[WF]] : tensor<3x4xf32>, tensor<2x4xf32>)
func.func @dequant_matmul(%x: tensor<3x4xf32>, %w: tensor<2x4xi8>) -> tensor<3x2xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 0.25]> : tensor<2xf32>) : tensor<3x4xf32>, tensor<2x4xi8> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
