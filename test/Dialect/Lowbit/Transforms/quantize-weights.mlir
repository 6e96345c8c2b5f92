// lowbit-quantize-weights: which matmuls it rewrites, the codes and scales it
// computes (checked against values worked out by hand), and where it must
// not fire.
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i8 granularity=tensor" | FileCheck %s --check-prefix=TENSOR
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i8 granularity=channel" | FileCheck %s --check-prefix=CHANNEL
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=u8 granularity=tensor symmetric=false" | FileCheck %s --check-prefix=AFFINE
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i4 granularity=tensor" | FileCheck %s --check-prefix=INT4

// W [K, N] = [[1, -2], [63.5, 127]], stored transposed as [N, K].
// i8 per tensor: s = 127 / 127 = 1, codes [[1, 64], [-2, 127]] (63.5 rounds
// half to even) = bytes 01 40 FE 7F.
// TENSOR-LABEL: func.func @hand_computed(
// TENSOR: arith.constant dense_resource<weight.q> : tensor<2x2xi8>
// TENSOR: lowbit.dequant_matmul {{.*}} as #lowbit.scheme<i8> scales(1.000000e+00 : f32)
// TENSOR: weight.q: "0x080000000140FE7F"
//
// i8 per output channel: n0 = [1, 63.5] -> s0 = 63.5 / 127 = 0.5, codes
// [2, 127]; n1 = [-2, 127] -> s1 = 1, codes [-2, 127]. Bytes 02 7F FE 7F,
// scales 0.5 = 0x3F000000 and 1.0 = 0x3F800000 (little-endian).
// CHANNEL-LABEL: func.func @hand_computed(
// CHANNEL: lowbit.dequant_matmul {{.*}} as #lowbit.scheme<i8, axis = 0> scales(dense_resource<weight.scales> : tensor<2xf32>)
// CHANNEL: weight.q: "0x08000000027FFE7F"
// CHANNEL: weight.scales: "0x080000000000003F0000803F"
//
// u8 affine per tensor: range [-2, 127], s = 129 / 255, z = round(2 / s) =
// round(3.953..) = 4; codes round(x / s) + z = [6, 130, 0, 255] for
// [1, 63.5, -2, 127] in [N, K] order = bytes 06 82 00 FF.
// AFFINE-LABEL: func.func @hand_computed(
// AFFINE: lowbit.dequant_matmul {{.*}} as #lowbit.scheme<u8, affine> scales({{.*}} : f32) zero_points(4 : i32)
// AFFINE: weight.q: "0x08000000068200FF"
func.func @hand_computed(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [63.5, 127.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// int4 nibble order: W [K, N] = [[1], [-1], [7], [-8]] (N = 1), s = 8 / 7,
// codes round([0.875, -0.875, 6.125, -7]) = [1, -1, 6, -7] = nibbles
// 1, F, 6, 9; the even element goes in the low nibble: bytes F1 96.
// INT4-LABEL: func.func @nibble_order(
// INT4: arith.constant dense_resource<weight.q> : tensor<1x4xi4>
// INT4: lowbit.dequant_matmul {{.*}} as #lowbit.scheme<i4> scales(1.14285719 : f32)
// INT4: weight.q: "0x08000000F196"
func.func @nibble_order(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [-1.0], [7.0], [-8.0]]> : tensor<4x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x1xf32>) outs(%acc : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
