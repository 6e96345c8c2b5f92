// Import then export gives back the upstream IR we started from (scales
// rounded to f32, which these are already).
// RUN: lowbit-opt %s --split-input-file --lowbit-import-quant --lowbit-export-quant | FileCheck %s
// The lowbit form in between is valid on its own.
// RUN: lowbit-opt %s --split-input-file --lowbit-import-quant | lowbit-opt --split-input-file --verify-roundtrip | FileCheck %s --check-prefix=LOWBIT

// LOWBIT-LABEL: func.func @fake_quant_per_tensor(
// LOWBIT: lowbit.quantize
// LOWBIT: lowbit.dequantize
// CHECK-LABEL: func.func @fake_quant_per_tensor(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[X]] : tensor<4x8xf32> to tensor<4x8x!quant.uniform<u8:f32, 5.000000e-01:128>>
// CHECK-NEXT: %[[Y:.*]] = quant.dcast %[[Q]] : tensor<4x8x!quant.uniform<u8:f32, 5.000000e-01:128>> to tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @fake_quant_per_tensor(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = quant.qcast %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<u8:f32, 0.5:128>>
  %y = quant.dcast %q : tensor<4x8x!quant.uniform<u8:f32, 0.5:128>> to tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A quantized value that is returned keeps its upstream type.
// LOWBIT-LABEL: func.func @returns_quantized(
// CHECK-LABEL: func.func @returns_quantized(
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[X]] : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32:1, {5.000000e-01:1,2.500000e-01,1.250000e-01:-1}>>
// CHECK-NEXT: return %[[Q]]
func.func @returns_quantized(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 0.125:-1}>> {
  %q = quant.qcast %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 0.125:-1}>>
  return %q : tensor<2x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25, 0.125:-1}>>
}

// -----

// A quantized i4 weight: scast of a constant, dcast, matmul.
// LOWBIT-LABEL: func.func @quantized_weight(
// LOWBIT: lowbit.dequantize %{{.*}} as #lowbit.scheme<i4, group = 4, axis = 1, affine>
// CHECK-LABEL: func.func @quantized_weight(
// CHECK: %[[C:.*]] = arith.constant dense<{{.*}}> : tensor<2x8xi4>
// CHECK: %[[Q:.*]] = quant.scast %[[C]] : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{\{}}{5.000000e-01:1, 2.500000e-01:-2}, {1.000000e+00, 2.000000e+00:7}}>>
// CHECK: %[[W:.*]] = quant.dcast %[[Q]] : {{.*}} to tensor<2x8xf32>
// CHECK: linalg.matmul {{.*}} ins(%{{.*}}, %[[W]] :
func.func @quantized_weight(%x: tensor<3x8xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %c = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, -8], [0, 0, 1, 1, -1, -1, 2, 2]]> : tensor<2x8xi4>
  %q = quant.scast %c : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5:1, 0.25:-2}, {1.0, 2.0:7}}>>
  %w = quant.dcast %q : tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5:1, 0.25:-2}, {1.0, 2.0:7}}>> to tensor<2x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
       ins(%x, %w : tensor<3x8xf32>, tensor<2x8xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
