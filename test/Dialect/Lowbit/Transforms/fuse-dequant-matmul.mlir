// lowbit-fuse-dequant-matmul: every supported dequantization producer and
// weight layout, the compile-time transposition of constant codes and
// group-wise parameters, and the integer matmul. Cases that must not fuse
// are in fuse-dequant-matmul-negative.mlir.
// RUN: lowbit-opt %s --split-input-file --lowbit-fuse-dequant-matmul | FileCheck %s
// The rewritten IR verifies and parses again.
// RUN: lowbit-opt %s --split-input-file --lowbit-fuse-dequant-matmul | lowbit-opt --split-input-file -o /dev/null

//===----------------------------------------------------------------------===//
// lowbit.dequantize -> lowbit.dequant_matmul
//===----------------------------------------------------------------------===//

// Weight already [N, K] (transposed indexing map): the codes and the scheme
// are used as they are.
// CHECK-LABEL: func.func @dequantize_nk(
// CHECK-SAME: %[[X:.*]]: tensor<2x8xf32>, %[[Q:.*]]: tensor<4x8xi8>
// CHECK-NOT: lowbit.dequantize
// CHECK: %[[Y:.*]] = lowbit.dequant_matmul %[[X]], %[[Q]] as #lowbit.scheme<i8, axis = 0> scales(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>) : tensor<2x8xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return %[[Y]]
func.func @dequantize_nk(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>) -> tensor<2x4xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 0> scales(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>) : tensor<4x8xi8> -> tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x8xf32>, tensor<4x8xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Constant packed i4 codes stored [K, N] = [2, 4] are transposed at compile
// time. The blob (after its 4-byte alignment header) holds the bytes
// 21 43 65 87: low nibble first, the codes in row-major [K, N] order are
//   k = 0: 1  2  3  4
//   k = 1: 5  6  7 -8      (-8 is the nibble 0x8)
// Transposed to [N, K] = [4, 2] the row-major order is 1 5 2 6 3 7 4 -8,
// which packs (low nibble first) into the bytes 51 62 73 84. The new blob is
// written with 8-byte alignment (header 08000000). Per-axis scales along N
// (axis 1 of [K, N]) become axis 0 of [N, K] and stay as they are.
// CHECK-LABEL: func.func @packed_i4_constant(
// CHECK-SAME: %[[X:.*]]: tensor<3x2xf32>
// CHECK: %[[W:.*]] = arith.constant dense_resource<w.q.nk> : tensor<4x2xi4>
// CHECK: lowbit.dequant_matmul %[[X]], %[[W]] as #lowbit.scheme<i4, axis = 0> scales(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>) : tensor<3x2xf32>, tensor<4x2xi4> -> tensor<3x4xf32>
// CHECK-NOT: dense_resource<w.q>
// CHECK: w.q.nk: "0x0800000051627384"
func.func @packed_i4_constant(%x: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %q = arith.constant dense_resource<w.q> : tensor<2x4xi4>
  %w = lowbit.dequantize %q as #lowbit.scheme<i4, axis = 1> scales(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>) : tensor<2x4xi4> -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x4xf32>) outs(%acc : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
{-#
  dialect_resources: { builtin: { w.q: "0x0400000021436587" } }
#-}

// -----

// Constant i8 codes as a dense attribute stay a dense attribute, transposed:
// [[1, 2, 3], [4, 5, 6]] ([K, N]) -> [[1, 4], [2, 5], [3, 6]] ([N, K]).
// CHECK-LABEL: func.func @dense_i8_constant(
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32) : tensor<2x2xf32>, tensor<3x2xi8> -> tensor<2x3xf32>
func.func @dense_i8_constant(%x: tensor<2x2xf32>) -> tensor<2x3xf32> {
  %q = arith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<2x3xi8> -> tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Codes that are not a constant are transposed by a linalg.transpose.
// Group-wise scales and zero-points along K (axis 0 of [K, N] = [4, 2],
// groups of 2) are [K/G, N] = [[1, 2], [3, 4]]; in [N, K/G] they are
// [[1, 3], [2, 4]], and the groups now run along axis 1.
// CHECK-LABEL: func.func @group_dense_params(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>, %[[Q:.*]]: tensor<4x2xi8>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xi8>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[Q]] : tensor<4x2xi8>) outs(%[[E]] : tensor<2x4xi8>) permutation = [1, 0]
// CHECK: lowbit.dequant_matmul %[[X]], %[[T]] as #lowbit.scheme<u8, group = 2, axis = 1, affine>
// CHECK-SAME: scales(dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>)
// CHECK-SAME: zero_points(dense<{{\[}}[10, 30], [20, 40]]> : tensor<2x2xi32>)
// CHECK-SAME: : tensor<2x4xf32>, tensor<2x4xi8> -> tensor<2x2xf32>
func.func @group_dense_params(%x: tensor<2x4xf32>, %q: tensor<4x2xi8>) -> tensor<2x2xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<u8, group = 2, axis = 0, affine>
      scales(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>)
      zero_points(dense<[[10, 20], [30, 40]]> : tensor<2x2xi32>)
      : tensor<4x2xi8> -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Group-wise u4 weight whose codes and f16 scales are dense_resource blobs.
// Codes [K, N] = [4, 2], row-major 0 1 / 2 3 / 4 5 / 6 7, pack into the
// bytes 10 32 54 76. Transposed to [N, K] = [2, 4] the order is
// 0 2 4 6 1 3 5 7, i.e. the bytes 20 64 31 75.
// Scales [K/G, N] = [[1, 2], [3, 4]] in f16 (1.0 = 0x3C00, 2.0 = 0x4000,
// 3.0 = 0x4200, 4.0 = 0x4400, little-endian) are 003C 0040 0042 0044;
// transposed to [[1, 3], [2, 4]] they are 003C 0042 0040 0044.
// CHECK-LABEL: func.func @group_resource_params(
// CHECK: %[[W:.*]] = arith.constant dense_resource<w.q.nk> : tensor<2x4xi4>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]] as #lowbit.scheme<u4, group = 2, axis = 1, scale = f16> scales(dense_resource<w.scales.nk> : tensor<2x2xf16>) : tensor<1x4xf32>, tensor<2x4xi4> -> tensor<1x2xf32>
// CHECK: w.q.nk: "0x0800000020643175"
// CHECK: w.scales.nk: "0x08000000003C004200400044"
func.func @group_resource_params(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense_resource<w.q> : tensor<4x2xi4>
  %w = lowbit.dequantize %q as #lowbit.scheme<u4, group = 2, axis = 0, scale = f16>
      scales(dense_resource<w.scales> : tensor<2x2xf16>)
      : tensor<4x2xi4> -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: { builtin: {
    w.q: "0x0400000010325476",
    w.scales: "0x02000000003C004000420044"
  } }
#-}

// -----

// batch_matmul with a [B, K, N] weight: per-axis scales along N (axis 2)
// become axis 1 of [B, N, K]; the codes are transposed by [0, 2, 1].
// CHECK-LABEL: func.func @batch_matmul(
// CHECK-SAME: %[[X:.*]]: tensor<2x5x4xf32>, %[[Q:.*]]: tensor<2x4x3xi8>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[Q]] : tensor<2x4x3xi8>) outs(%{{.*}} : tensor<2x3x4xi8>) permutation = [0, 2, 1]
// CHECK: lowbit.dequant_matmul %[[X]], %[[T]] as #lowbit.scheme<i8, axis = 1> scales(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>) : tensor<2x5x4xf32>, tensor<2x3x4xi8> -> tensor<2x5x3xf32>
func.func @batch_matmul(%x: tensor<2x5x4xf32>, %q: tensor<2x4x3xi8>) -> tensor<2x5x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 2> scales(dense<[1.0, 2.0, 3.0]> : tensor<3xf32>) : tensor<2x4x3xi8> -> tensor<2x4x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x5x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x5x4xf32>, tensor<2x4x3xf32>) outs(%acc : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// Dynamic shapes: the linalg.transpose of the codes gets its sizes from
// tensor.dim of the codes, swapped.
// CHECK-LABEL: func.func @dynamic_shapes(
// CHECK-SAME: %[[X:.*]]: tensor<?x?xf32>, %[[Q:.*]]: tensor<?x?xi8>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[K:.*]] = tensor.dim %[[Q]], %[[C0]]
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[Q]], %[[C1]]
// CHECK: %[[E:.*]] = tensor.empty(%[[N]], %[[K]]) : tensor<?x?xi8>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[Q]] : tensor<?x?xi8>) outs(%[[E]] : tensor<?x?xi8>) permutation = [1, 0]
// CHECK: lowbit.dequant_matmul %[[X]], %[[T]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32) : tensor<?x?xf32>, tensor<?x?xi8> -> tensor<?x?xf32>
func.func @dynamic_shapes(%x: tensor<?x?xf32>, %q: tensor<?x?xi8>, %acc: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<?x?xi8> -> tensor<?x?xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x?xf32>, tensor<?x?xf32>) outs(%acc : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// A non-zero accumulator is added back after the fused product.
// CHECK-LABEL: func.func @accumulate(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>, %[[Q:.*]]: tensor<3x4xi8>, %[[ACC:.*]]: tensor<2x3xf32>
// CHECK: %[[Y:.*]] = lowbit.dequant_matmul %[[X]], %[[Q]]
// CHECK: %[[SUM:.*]] = arith.addf %[[Y]], %[[ACC]] : tensor<2x3xf32>
// CHECK: return %[[SUM]]
func.func @accumulate(%x: tensor<2x4xf32>, %q: tensor<3x4xi8>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.25 : f32) : tensor<3x4xi8> -> tensor<3x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A contraction linalg.generic over [B, S, K] activations (two M loops) with
// a shared [K, N] weight; NF4 has no integer product but fuses weight-only.
// CHECK-LABEL: func.func @generic_contraction(
// CHECK: linalg.transpose
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<nf4, group = 2, axis = 1, scale = bf16> scales(dense<{{.*}}> : tensor<3x2xbf16>) : tensor<2x5x4xf32>, tensor<3x4xi4> -> tensor<2x5x3xf32>
// CHECK-NOT: linalg.generic
#lhs = affine_map<(b, s, n, k) -> (b, s, k)>
#rhs = affine_map<(b, s, n, k) -> (k, n)>
#out = affine_map<(b, s, n, k) -> (b, s, n)>
func.func @generic_contraction(%x: tensor<2x5x4xf32>, %q: tensor<4x3xi4>) -> tensor<2x5x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<nf4, group = 2, axis = 0, scale = bf16>
      scales(dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xbf16>) : tensor<4x3xi4> -> tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x5x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  %y = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x5x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x5x3xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// tosa.matmul [B, M, K] x [B, K, N] with zero zero-points.
// CHECK-LABEL: func.func @tosa_matmul(
// CHECK: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x4x3xi8>) outs(%{{.*}} : tensor<1x3x4xi8>) permutation = [0, 2, 1]
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[T]] as #lowbit.scheme<i8> scales(1.250000e-01 : f32) : tensor<1x5x4xf32>, tensor<1x3x4xi8> -> tensor<1x5x3xf32>
// CHECK-NOT: tosa.matmul
func.func @tosa_matmul(%x: tensor<1x5x4xf32>, %q: tensor<1x4x3xi8>) -> tensor<1x5x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.125 : f32) : tensor<1x4x3xi8> -> tensor<1x4x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x3xf32>
  return %y : tensor<1x5x3xf32>
}

// -----

// f16 model: the dequantized weight, the activation and the result are f16.
// CHECK-LABEL: func.func @f16_model(
// CHECK: lowbit.dequant_matmul {{.*}} as #lowbit.scheme<i8, scale = f16> scales(5.000000e-01 : f16) : tensor<2x4xf16>, tensor<3x4xi8> -> tensor<2x3xf16>
func.func @f16_model(%x: tensor<2x4xf16>, %q: tensor<3x4xi8>, %acc: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, scale = f16> scales(0.5 : f16) : tensor<3x4xi8> -> tensor<3x4xf16>
  %zero = arith.constant 0.0 : f16
  %init = linalg.fill ins(%zero : f16) outs(%acc : tensor<2x3xf16>) -> tensor<2x3xf16>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf16>, tensor<3x4xf16>) outs(%init : tensor<2x3xf16>) -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

// One constant weight read by two matmuls is transposed and stored once:
// both constants hold the same blob, [[1, 2], [3, 4]] -> [[1, 3], [2, 4]].
// CHECK-LABEL: func.func @shared_weight(
// CHECK: %[[W1:.*]] = arith.constant dense_resource<w.q.nk> : tensor<2x2xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W1]]
// CHECK: %[[W2:.*]] = arith.constant dense_resource<w.q.nk> : tensor<2x2xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W2]]
// CHECK: builtin: {
// CHECK-NEXT: w.q.nk: "0x0800000001030204"
// CHECK-NEXT: }
func.func @shared_weight(%x: tensor<1x2xf32>, %y: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %q = arith.constant dense_resource<w.q> : tensor<2x2xi8>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(1.0 : f32) : tensor<2x2xi8> -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %b = linalg.matmul ins(%y, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %a, %b : tensor<1x2xf32>, tensor<1x2xf32>
}
{-#
  dialect_resources: { builtin: { w.q: "0x0400000001020304" } }
#-}

// -----

//===----------------------------------------------------------------------===//
// Elementwise linalg.generic -> lowbit.dequant_matmul
//===----------------------------------------------------------------------===//

// sitofp(q) * s with s one value per output channel, weight [K, N]: i8,
// per axis along N (dim 1), which is axis 0 once transposed. The [N] scale
// constant is used as it is.
// CHECK-LABEL: func.func @generic_sitofp_per_channel(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>, %[[Q:.*]]: tensor<4x3xi8>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[Q]] : tensor<4x3xi8>) outs(%{{.*}} : tensor<3x4xi8>) permutation = [1, 0]
// CHECK: lowbit.dequant_matmul %[[X]], %[[T]] as #lowbit.scheme<i8, axis = 0> scales(dense<[1.000000e+00, 2.000000e+00, 4.000000e+00]> : tensor<3xf32>) : tensor<2x4xf32>, tensor<3x4xi8> -> tensor<2x3xf32>
// CHECK-NOT: linalg.generic
func.func @generic_sitofp_per_channel(%x: tensor<2x4xf32>, %q: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %s = arith.constant dense<[1.0, 2.0, 4.0]> : tensor<3xf32>
  %e = tensor.empty() : tensor<4x3xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (n)>, affine_map<(k, n) -> (k, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<4x3xi8>, tensor<3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%qi: i8, %si: f32, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// (uitofp(q) - z) * s, weight [N, K] (transposed matmul map): u8, affine.
// The float zero-points are per channel, read from an [N, 1] constant
// through (n, 0); the scale is one captured scalar, so it is repeated per
// channel. New blobs: scales 0.5 = 0x3F000000 twice (little-endian
// 0000003F), zero-points 128 and 120 as i32 (80000000 78000000).
// CHECK-LABEL: func.func @generic_uitofp_affine(
// CHECK-SAME: %[[X:.*]]: tensor<1x3xf32>, %[[Q:.*]]: tensor<2x3xi8>
// CHECK: lowbit.dequant_matmul %[[X]], %[[Q]] as #lowbit.scheme<u8, axis = 0, affine> scales(dense_resource<scales> : tensor<2xf32>) zero_points(dense_resource<zero_points> : tensor<2xi32>) : tensor<1x3xf32>, tensor<2x3xi8> -> tensor<1x2xf32>
// CHECK: scales: "0x080000000000003F0000003F"
// CHECK: zero_points: "0x080000008000000078000000"
func.func @generic_uitofp_affine(%x: tensor<1x3xf32>, %q: tensor<2x3xi8>) -> tensor<1x2xf32> {
  %z = arith.constant dense<[[128.0], [120.0]]> : tensor<2x1xf32>
  %s = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, 0)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %z : tensor<2x3xi8>, tensor<2x1xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%qi: i8, %zi: f32, %o: f32):
    %f = arith.uitofp %qi : i8 to f32
    %c = arith.subf %f, %zi : f32
    %r = arith.mulf %c, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x3xf32>, tensor<2x3xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// s * sitofp(extsi(q)) with i4 codes, the scale first and a rank-0 scale
// tensor read through () -> (): i4 per tensor. Constant codes [K, N] with
// the bytes F1 32: codes 1 -1 2 3 ([[1, -1], [2, 3]]), transposed
// [[1, 2], [-1, 3]] = 1 2 -1 3, i.e. the bytes 21 3F.
// CHECK-LABEL: func.func @generic_extsi_scale_first(
// CHECK: %[[W:.*]] = arith.constant dense_resource<q4.nk> : tensor<2x2xi4>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]] as #lowbit.scheme<i4> scales(2.500000e-01 : f32) : tensor<1x2xf32>, tensor<2x2xi4> -> tensor<1x2xf32>
// CHECK: q4.nk: "0x08000000213F"
func.func @generic_extsi_scale_first(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense_resource<q4> : tensor<2x2xi4>
  %s = arith.constant dense<0.25> : tensor<f32>
  %e = tensor.empty() : tensor<2x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> ()>, affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%s, %q : tensor<f32>, tensor<2x2xi4>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%si: f32, %qi: i4, %o: f32):
    %i = arith.extsi %qi : i4 to i32
    %f = arith.sitofp %i : i32 to f32
    %r = arith.mulf %si, %f : f32
    linalg.yield %r : f32
  } -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: { builtin: { q4: "0x04000000F132" } }
#-}

// -----

// sitofp(extui(q) - z) * s: the zero-point is subtracted in i32 after
// widening unsigned codes (u8). The i32 [N] zero-point constant is used as
// it is; the scale is a constant defined inside the body.
// CHECK-LABEL: func.func @generic_integer_zero_point(
// CHECK-SAME: %[[X:.*]]: tensor<1x4xf32>, %[[Q:.*]]: tensor<2x4xi8>
// CHECK: lowbit.dequant_matmul %[[X]], %[[Q]] as #lowbit.scheme<u8, affine> scales(1.000000e-01 : f32) zero_points(3 : i32)
// CHECK-SAME: : tensor<1x4xf32>, tensor<2x4xi8> -> tensor<1x2xf32>
// CHECK: lowbit.dequant_matmul %[[X]], %[[Q]] as #lowbit.scheme<u8, axis = 0, affine> scales(dense_resource<scales> : tensor<2xf32>) zero_points(dense<[7, 9]> : tensor<2xi32>)
func.func @generic_integer_zero_point(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %zs = arith.constant 3 : i32
  %zc = arith.constant dense<[7, 9]> : tensor<2xi32>
  %e = tensor.empty() : tensor<2x4xf32>
  // Per-tensor zero-point 3, captured scalar.
  %w1 = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %s = arith.constant 0.1 : f32
    %i = arith.extui %qi : i8 to i32
    %d = arith.subi %i, %zs : i32
    %f = arith.sitofp %d : i32 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  // Per-channel zero-points from an [N] i32 constant.
  %w2 = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %zc : tensor<2x4xi8>, tensor<2xi32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %zi: i32, %o: f32):
    %s = arith.constant 0.1 : f32
    %i = arith.extui %qi : i8 to i32
    %d = arith.subi %i, %zi : i32
    %f = arith.sitofp %d : i32 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y1 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w1 : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w2 : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y1, %y2 : tensor<1x2xf32>, tensor<1x2xf32>
}

// -----

// A zero-point of 0 everywhere is no zero-point: the scheme is symmetric.
// sitofp to f16 followed by extf to f32 converts the codes exactly.
// CHECK-LABEL: func.func @generic_zero_zero_point(
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i8> scales(2.000000e+00 : f32) :
// CHECK-NOT: zero_points
func.func @generic_zero_zero_point(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 0.0 : f32
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %h = arith.sitofp %qi : i8 to f16
    %f = arith.extf %h : f16 to f32
    %c = arith.subf %f, %z : f32
    %r = arith.mulf %c, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// extf of FP8 codes times a per-channel scale from a [1, N] constant read
// through (0, n): f8E4M3FN per axis.
// CHECK-LABEL: func.func @generic_fp8(
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense_resource<scales> : tensor<2xf32>) : tensor<1x4xf32>, tensor<2x4xf8E4M3FN> -> tensor<1x2xf32>
// CHECK: scales: "0x080000000000803F00000040"
func.func @generic_fp8(%x: tensor<1x4xf32>, %q: tensor<4x2xf8E4M3FN>) -> tensor<1x2xf32> {
  %s = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (0, n)>, affine_map<(k, n) -> (k, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<4x2xf8E4M3FN>, tensor<1x2xf32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%qi: f8E4M3FN, %si: f32, %o: f32):
    %f = arith.extf %qi : f8E4M3FN to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Both operands dequantized -> lowbit.matmul
//===----------------------------------------------------------------------===//

// i8 activations with a run-time per-tensor scale, i8 constant weight
// [K, N] per output channel: an integer matmul with a real result.
// Codes [[1, 2], [3, 4], [5, 6]] ([K, N] = [3, 2]) -> [[1, 3, 5], [2, 4, 6]].
// CHECK-LABEL: func.func @int8_matmul(
// CHECK-SAME: %[[A:.*]]: tensor<4x3xi8>, %[[SA:.*]]: tensor<f32>
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[1, 3, 5], [2, 4, 6]]> : tensor<2x3xi8>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[A]], %[[W]] lhs(as #lowbit.scheme<i8> scales(%[[SA]] : tensor<f32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>)) : tensor<4x3xi8>, tensor<2x3xi8> -> tensor<4x2xf32>
// CHECK-NOT: lowbit.dequantize
// CHECK: return %[[Y]]
func.func @int8_matmul(%a: tensor<4x3xi8>, %sa: tensor<f32>) -> tensor<4x2xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<i8> scales(%sa : tensor<f32>) : tensor<4x3xi8> -> tensor<4x3xf32>
  %q = arith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 1> scales(dense<[0.5, 0.25]> : tensor<2xf32>) : tensor<3x2xi8> -> tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x2xf32>) outs(%acc : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Affine u8 activations, one scale and zero-point per row (axis 0 = M),
// given as operands; an affine u4 group-wise weight already [N, K]; a
// non-zero accumulator.
// CHECK-LABEL: func.func @int_matmul_per_row_affine(
// CHECK-SAME: %[[A:.*]]: tensor<2x4xi8>, %[[SA:.*]]: tensor<2xf32>, %[[ZA:.*]]: tensor<2xi32>, %[[Q:.*]]: tensor<3x4xi4>, %[[ACC:.*]]: tensor<2x3xf32>
// CHECK: %[[Y:.*]] = lowbit.matmul %[[A]], %[[Q]] lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%[[SA]] : tensor<2xf32>) zero_points(%[[ZA]] : tensor<2xi32>))
// CHECK-SAME: rhs(as #lowbit.scheme<u4, group = 2, axis = 1, affine> scales(dense<1.000000e+00> : tensor<3x2xf32>) zero_points(dense<8> : tensor<3x2xi32>))
// CHECK-SAME: : tensor<2x4xi8>, tensor<3x4xi4> -> tensor<2x3xf32>
// CHECK: arith.addf %[[Y]], %[[ACC]]
func.func @int_matmul_per_row_affine(%a: tensor<2x4xi8>, %sa: tensor<2xf32>, %za: tensor<2xi32>, %q: tensor<3x4xi4>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<2xf32>) zero_points(%za : tensor<2xi32>) : tensor<2x4xi8> -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<u4, group = 2, axis = 1, affine>
      scales(dense<1.0> : tensor<3x2xf32>) zero_points(dense<8> : tensor<3x2xi32>) : tensor<3x4xi4> -> tensor<3x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// FP8 activations and weights: the FP8 matmul (f32 accumulation).
// CHECK-LABEL: func.func @fp8_matmul(
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} lhs(as #lowbit.scheme<f8E4M3FN> scales(2.000000e+00 : f32)) rhs(as #lowbit.scheme<f8E5M2> scales(5.000000e-01 : f32)) : tensor<2x4xf8E4M3FN>, tensor<3x4xf8E5M2> -> tensor<2x3xf32>
func.func @fp8_matmul(%a: tensor<2x4xf8E4M3FN>, %q: tensor<3x4xf8E5M2>) -> tensor<2x3xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<f8E4M3FN> scales(2.0 : f32) : tensor<2x4xf8E4M3FN> -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<f8E5M2> scales(0.5 : f32) : tensor<3x4xf8E5M2> -> tensor<3x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// The activation dequantized by an elementwise generic with a static
// per-tensor scale also gives an integer matmul.
// CHECK-LABEL: func.func @int_matmul_generic_activation(
// CHECK-SAME: %[[A:.*]]: tensor<2x4xi8>, %[[Q:.*]]: tensor<3x4xi8>
// CHECK: lowbit.matmul %[[A]], %[[Q]] lhs(as #lowbit.scheme<i8> scales(1.250000e-01 : f32)) rhs(as #lowbit.scheme<i8> scales(5.000000e-01 : f32)) : tensor<2x4xi8>, tensor<3x4xi8> -> tensor<2x3xf32>
func.func @int_matmul_generic_activation(%a: tensor<2x4xi8>, %q: tensor<3x4xi8>) -> tensor<2x3xf32> {
  %sa = arith.constant 0.125 : f32
  %ea = tensor.empty() : tensor<2x4xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x4xi8>) outs(%ea : tensor<2x4xf32>) {
  ^bb0(%ai: i8, %o: f32):
    %f = arith.sitofp %ai : i8 to f32
    %r = arith.mulf %f, %sa : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<3x4xi8> -> tensor<3x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Activation scales vary along K (axis 1), so they cannot be factored out of
// an integer accumulation: no lowbit.matmul, but the weight still fuses into
// lowbit.dequant_matmul with the dequantized activation.
// CHECK-LABEL: func.func @activation_scales_along_k(
// CHECK: %[[X:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: lowbit.dequant_matmul %[[X]], %{{.*}} as #lowbit.scheme<i8>
func.func @activation_scales_along_k(%a: tensor<2x4xi8>, %q: tensor<3x4xi8>) -> tensor<2x3xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<i8, axis = 1> scales(dense<1.0> : tensor<4xf32>) : tensor<2x4xi8> -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<3x4xi8> -> tensor<3x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// i8 activations with an NF4 weight: NF4 codes have no exact product, so
// only the weight fuses.
// CHECK-LABEL: func.func @nf4_weight_int8_activation(
// CHECK: %[[X:.*]] = lowbit.dequantize
// CHECK-NOT: lowbit.matmul
// CHECK: lowbit.dequant_matmul %[[X]], %{{.*}} as #lowbit.scheme<nf4>
func.func @nf4_weight_int8_activation(%a: tensor<2x4xi8>, %q: tensor<3x4xi4>) -> tensor<2x3xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<i8> scales(1.0 : f32) : tensor<2x4xi8> -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<nf4> scales(0.5 : f32) : tensor<3x4xi4> -> tensor<3x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
