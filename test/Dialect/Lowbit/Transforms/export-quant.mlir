// lowbit-export-quant: lowbit ops with integer schemes and static scales
// become upstream quant casts on !quant.uniform types; dequant_matmul becomes
// a dequantized weight feeding linalg.matmul with transposed-B maps.
// RUN: lowbit-opt %s --split-input-file --lowbit-export-quant | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[X]] : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: %[[C:.*]] = quant.scast %[[Q]] : tensor<4x8x!quant.uniform<i8:f32, 5.000000e-01>> to tensor<4x8xi8>
// CHECK: return %[[C]] : tensor<4x8xi8>
func.func @quantize_per_tensor(%x: tensor<4x8xf32>) -> tensor<4x8xi8> {
  %c = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x8xf32> -> tensor<4x8xi8>
  return %c : tensor<4x8xi8>
}

// -----

// CHECK-LABEL: func.func @dequantize_u8_affine(
// CHECK-SAME: %[[C:.*]]: tensor<4x8xi8>
// CHECK: %[[Q:.*]] = quant.scast %[[C]] : tensor<4x8xi8> to tensor<4x8x!quant.uniform<u8:f32, 2.500000e-01:128>>
// CHECK: %[[Y:.*]] = quant.dcast %[[Q]] : tensor<4x8x!quant.uniform<u8:f32, 2.500000e-01:128>> to tensor<4x8xf32>
// CHECK: return %[[Y]]
func.func @dequantize_u8_affine(%c: tensor<4x8xi8>) -> tensor<4x8xf32> {
  %y = lowbit.dequantize %c as #lowbit.scheme<u8, affine> scales(0.25 : f32) zero_points(128 : i32) : tensor<4x8xi8> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Symmetric u8 has zero-point 0.
// CHECK-LABEL: func.func @dequantize_u8_symmetric(
// CHECK: quant.dcast %{{.*}} : tensor<8x!quant.uniform<u8:f32, 5.000000e-01>> to tensor<8xf32>
func.func @dequantize_u8_symmetric(%c: tensor<8xi8>) -> tensor<8xf32> {
  %y = lowbit.dequantize %c as #lowbit.scheme<u8> scales(0.5 : f32) : tensor<8xi8> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// The storage casts between a quantize and a dequantize cancel.
// CHECK-LABEL: func.func @quantize_dequantize_pair(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[Q:.*]] = quant.qcast %[[X]] : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK-NEXT: %[[Y:.*]] = quant.dcast %[[Q]] : tensor<4x8x!quant.uniform<i8:f32, 5.000000e-01:-3>> to tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @quantize_dequantize_pair(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c = lowbit.quantize %x as #lowbit.scheme<i8, affine> scales(0.5 : f32) zero_points(-3 : i32) : tensor<4x8xf32> -> tensor<4x8xi8>
  %y = lowbit.dequantize %c as #lowbit.scheme<i8, affine> scales(0.5 : f32) zero_points(-3 : i32) : tensor<4x8xi8> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Per-axis scales in a dense_resource blob are read: 0.5 = 0x3F000000,
// 2.0 = 0x40000000, little-endian.
// CHECK-LABEL: func.func @dequantize_per_axis_resource(
// CHECK: quant.scast %{{.*}} : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.000000e+00}>>
// CHECK: quant.dcast %{{.*}} : tensor<2x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.000000e+00}>> to tensor<2x3xf32>
func.func @dequantize_per_axis_resource(%c: tensor<2x3xi8>) -> tensor<2x3xf32> {
  %y = lowbit.dequantize %c as #lowbit.scheme<i8, axis = 0> scales(dense_resource<ws> : tensor<2xf32>) : tensor<2x3xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      ws: "0x040000000000003F00000040"
    }
  }
#-}

// -----

// Per-axis u4 with zero-points from a resource (i32 8 and 3).
// CHECK-LABEL: func.func @quantize_per_axis_u4_affine(
// CHECK: quant.qcast %{{.*}} : tensor<3x2xf32> to tensor<3x2x!quant.uniform<u4:f32:1, {1.000000e+00:8,2.000000e+00:3}>>
// CHECK: quant.scast %{{.*}} to tensor<3x2xi4>
func.func @quantize_per_axis_u4_affine(%x: tensor<3x2xf32>) -> tensor<3x2xi4> {
  %c = lowbit.quantize %x as #lowbit.scheme<u4, axis = 1, affine> scales(dense<[1.0, 2.0]> : tensor<2xf32>) zero_points(dense_resource<zp> : tensor<2xi32>) : tensor<3x2xf32> -> tensor<3x2xi4>
  return %c : tensor<3x2xi4>
}

{-#
  dialect_resources: {
    builtin: {
      zp: "0x040000000800000003000000"
    }
  }
#-}

// -----

// Group-wise becomes sub-channel: blocks of G along the group axis, of 1
// along the others. f16 scales convert exactly to the f32 expressed type.
// CHECK-LABEL: func.func @dequantize_group_i4(
// CHECK: quant.scast %{{.*}} : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{\{}}{1.000000e+00, 5.000000e-01}, {2.500000e-01, 2.000000e+00}}>>
// CHECK: quant.dcast
func.func @dequantize_group_i4(%c: tensor<2x8xi4>) -> tensor<2x8xf32> {
  %y = lowbit.dequantize %c as #lowbit.scheme<i4, group = 4, axis = 1, scale = f16> scales(dense<[[1.0, 0.5], [0.25, 2.0]]> : tensor<2x2xf16>) : tensor<2x8xi4> -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Sub-channel zero-points have the storage type; u8 200 prints as -56 in
// upstream's syntax but means 200 (see import-quant.mlir); zero-point 0 is
// not printed.
// CHECK-LABEL: func.func @quantize_group_u8_affine(
// CHECK: quant.qcast %{{.*}} : tensor<4x2xf32> to tensor<4x2x!quant.uniform<u8:f32:{0:2, 1:1}, {{\{}}{1.000000e+00:-56, 2.000000e+00}, {3.000000e+00:1, 4.000000e+00:2}}>>
func.func @quantize_group_u8_affine(%x: tensor<4x2xf32>) -> tensor<4x2xi8> {
  %c = lowbit.quantize %x as #lowbit.scheme<u8, group = 2, axis = 0, affine> scales(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>) zero_points(dense<[[200, 0], [1, 2]]> : tensor<2x2xi32>) : tensor<4x2xf32> -> tensor<4x2xi8>
  return %c : tensor<4x2xi8>
}

// -----

// The real type of the op is the expressed type.
// CHECK-LABEL: func.func @f16_and_bf16_real_types(
// CHECK: quant.qcast %{{.*}} : tensor<4xf16> to tensor<4x!quant.uniform<i8:f16, 1.250000e-01>>
// CHECK: quant.dcast %{{.*}} : tensor<4x!quant.uniform<i8:bf16:{0:2}, {1.000000e+00, 5.000000e-01}>> to tensor<4xbf16>
func.func @f16_and_bf16_real_types(%x: tensor<4xf16>, %c: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xbf16>) {
  %a = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.125 : f32) : tensor<4xf16> -> tensor<4xi8>
  %b = lowbit.dequantize %c as #lowbit.scheme<i8, group = 2, axis = 0, scale = bf16> scales(dense<[1.0, 0.5]> : tensor<2xbf16>) : tensor<4xi8> -> tensor<4xbf16>
  return %a, %b : tensor<4xi8>, tensor<4xbf16>
}

// -----

// W [N, K] = [2, 4], per output channel; y = x · dequant(W)^T.
// CHECK-DAG: #[[MAP_X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MAP_W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MAP_Y:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @dequant_matmul(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<2x4xi8>
// CHECK: %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>>
// CHECK: %[[WF:.*]] = quant.dcast %[[WQ]] : tensor<2x4x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01}>> to tensor<2x4xf32>
// CHECK-DAG: %[[EMPTY:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[Y:.*]] = linalg.matmul indexing_maps = [#[[MAP_X]], #[[MAP_W]], #[[MAP_Y]]] ins(%[[X]], %[[WF]] : tensor<3x4xf32>, tensor<2x4xf32>) outs(%[[ACC]] : tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: return %[[Y]]
func.func @dequant_matmul(%x: tensor<3x4xf32>, %w: tensor<2x4xi8>) -> tensor<3x2xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 0.25]> : tensor<2xf32>) : tensor<3x4xf32>, tensor<2x4xi8> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// f16 activations with a bias: the weight is dequantized to f32, the
// accumulator starts at the bias (extended to f32) broadcast over the rows,
// and the f32 result is truncated, as dequant_matmul accumulates in f32.
// CHECK-LABEL: func.func @dequant_matmul_f16_bias(
// CHECK-SAME: %[[X:.*]]: tensor<3x8xf16>, %[[W:.*]]: tensor<2x8xi4>, %[[B:.*]]: tensor<2xf16>
// CHECK: %[[WQ:.*]] = quant.scast %[[W]] : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{\{}}{1.000000e+00:1, 1.000000e+00:1}, {2.000000e+00:1, 2.000000e+00:1}}>>
// CHECK: %[[WF:.*]] = quant.dcast %[[WQ]] : {{.*}} to tensor<2x8xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK: %[[B32:.*]] = arith.extf %[[B]] : tensor<2xf16> to tensor<2xf32>
// CHECK: %[[ACC:.*]] = linalg.broadcast ins(%[[B32]] : tensor<2xf32>) outs(%[[EMPTY]] : tensor<3x2xf32>) dimensions = [0]
// CHECK: %[[Y32:.*]] = linalg.matmul indexing_maps = [{{.*}}] ins(%[[X]], %[[WF]] : tensor<3x8xf16>, tensor<2x8xf32>) outs(%[[ACC]] : tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[Y:.*]] = arith.truncf %[[Y32]] : tensor<3x2xf32> to tensor<3x2xf16>
// CHECK: return %[[Y]]
func.func @dequant_matmul_f16_bias(%x: tensor<3x8xf16>, %w: tensor<2x8xi4>, %b: tensor<2xf16>) -> tensor<3x2xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 4, axis = 1, affine, scale = f16> scales(dense<[[1.0, 1.0], [2.0, 2.0]]> : tensor<2x2xf16>) zero_points(dense<1> : tensor<2x2xi32>) bias(%b : tensor<2xf16>) : tensor<3x8xf16>, tensor<2x8xi4> -> tensor<3x2xf16>
  return %y : tensor<3x2xf16>
}

// -----

// Activations [B, M, K] with a 2-D weight: rows are collapsed for the matmul
// and expanded back, dynamic sizes included.
// CHECK-LABEL: func.func @dequant_matmul_3d_input(
// CHECK-SAME: %[[X:.*]]: tensor<?x5x4xf32>
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x5x4xf32> into tensor<?x4xf32>
// CHECK: %[[Y2:.*]] = linalg.matmul {{.*}} ins(%[[X2]], %{{.*}} : tensor<?x4xf32>, tensor<2x4xf32>) outs(%{{.*}} : tensor<?x2xf32>) -> tensor<?x2xf32>
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[Y2]] {{\[}}[0, 1], [2]] output_shape [%{{.*}}, 5, 2] : tensor<?x2xf32> into tensor<?x5x2xf32>
// CHECK: return %[[Y]]
func.func @dequant_matmul_3d_input(%x: tensor<?x5x4xf32>, %w: tensor<2x4xi8>) -> tensor<?x5x2xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8> scales(1.0 : f32) : tensor<?x5x4xf32>, tensor<2x4xi8> -> tensor<?x5x2xf32>
  return %y : tensor<?x5x2xf32>
}

// -----

// Batched weights [B, N, K] use linalg.batch_matmul with transposed-B maps.
// CHECK-DAG: #[[MAP_X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[MAP_W:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[MAP_Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @dequant_matmul_batched(
// CHECK: quant.dcast %{{.*}} : tensor<2x3x4x!quant.uniform<i8:f32:1, {1.000000e+00,2.000000e+00,3.000000e+00}>> to tensor<2x3x4xf32>
// CHECK: linalg.batch_matmul indexing_maps = [#[[MAP_X]], #[[MAP_W]], #[[MAP_Y]]] ins(%{{.*}}, %{{.*}} : tensor<2x5x4xf32>, tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
func.func @dequant_matmul_batched(%x: tensor<2x5x4xf32>, %w: tensor<2x3x4xi8>) -> tensor<2x5x3xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 1> scales(dense<[1.0, 2.0, 3.0]> : tensor<3xf32>) : tensor<2x5x4xf32>, tensor<2x3x4xi8> -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// Ops that are not quantize / dequantize / dequant_matmul stay.
// CHECK-LABEL: func.func @observe_untouched(
// CHECK: lowbit.observe
func.func @observe_untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = lowbit.observe %x id "x" stats [min_max] : tensor<4xf32>
  return %y : tensor<4xf32>
}
