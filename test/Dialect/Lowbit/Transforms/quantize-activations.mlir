// lowbit-quantize-activations: dynamic per-token / per-tensor scales built in
// the IR, static scales from a statistics file, the compile-time weight
// column sums, and the weights it leaves weight-only.
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-activations | FileCheck %s --check-prefix=TOKEN
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-activations="granularity=tensor format=u8 symmetric=false" | FileCheck %s --check-prefix=AFFINE
// RUN: echo '{"version": 1, "activations": {"fc": {"min": -2.0, "max": 6.0}, "batched": {"min": -1.0, "max": 1.0}, "fp8": {"min": -1.0, "max": 1.0}, "nf4": {"min": 0.0, "max": 1.0}}}' > %t.json
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.json" | FileCheck %s --check-prefix=STATIC
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-activations="mode=static granularity=tensor format=u8 symmetric=false stats=%t.json" | FileCheck %s --check-prefix=STATICU8
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-activations="format=f8E4M3FN" | FileCheck %s --check-prefix=FP8

// Per token (default): one absmax per row of x, s = max(amax, tiny*127) / 127.
// TOKEN-LABEL: func.func @linear(
// TOKEN-SAME: %[[X:.*]]: tensor<3x2xf32>
// TOKEN: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// TOKEN: %[[AMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<3x2xf32>) outs(%[[INIT]] : tensor<3xf32>)
// TOKEN: math.absf
// TOKEN: arith.maximumf
// TOKEN: %[[S:.*]] = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<3xf32>)
// TOKEN: arith.constant 1.270000e+02 : f32
// TOKEN: arith.divf
// TOKEN: %[[Q:.*]] = lowbit.quantize %[[X]] as #lowbit.scheme<i8, axis = 0> scales(%[[S]] : tensor<3xf32>) : tensor<3x2xf32> -> tensor<3x2xi8>
// TOKEN: %[[Y:.*]] = lowbit.matmul %[[Q]], %{{.*}} lhs(as #lowbit.scheme<i8, axis = 0> scales(%[[S]] : tensor<3xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense_resource<fc.scales> : tensor<2xf32>)) : tensor<3x2xi8>, tensor<2x2xi8> -> tensor<3x2xf32>
// TOKEN-NOT: col_sums
// TOKEN: return %[[Y]]

// u8 affine per tensor: min and max reductions, zero-point from
// round(0 - min / s); the weight codes [[2, 127], [-2, 127]] sum to
// [129, 125] per output channel = i32 0x81, 0x7D.
// AFFINE-LABEL: func.func @linear(
// AFFINE: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]}
// AFFINE: arith.minimumf
// AFFINE: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]}
// AFFINE: arith.maximumf
// AFFINE: %[[P:.*]]:2 = linalg.generic
// AFFINE: math.roundeven
// AFFINE: arith.fptosi
// AFFINE: %[[Q:.*]] = lowbit.quantize %{{.*}} as #lowbit.scheme<u8, affine> scales(%[[P]]#0 : tensor<f32>) zero_points(%[[P]]#1 : tensor<i32>)
// AFFINE: lowbit.matmul %[[Q]], %{{.*}} lhs(as #lowbit.scheme<u8, affine> scales(%[[P]]#0 : tensor<f32>) zero_points(%[[P]]#1 : tensor<i32>)) rhs({{.*}}) col_sums(dense_resource<fc.q.colsums> : tensor<2xi32>)
// AFFINE: fc.q.colsums: "0x08000000810000007D000000"

// Static, symmetric i8: range [-2, 6] gives s = 6 / 127 = 0.0472440943.
// STATIC-LABEL: func.func @linear(
// STATIC-NOT: linalg.generic
// STATIC: %[[Q:.*]] = lowbit.quantize %{{.*}} as #lowbit.scheme<i8> scales(0.0472440943 : f32) : tensor<3x2xf32> -> tensor<3x2xi8>
// STATIC: lowbit.matmul %[[Q]], %{{.*}} lhs(as #lowbit.scheme<i8> scales(0.0472440943 : f32)) rhs(

// Static, affine u8: s = (6 - (-2)) / 255 = 0.0313725509, z = round(2 / s) = round(63.75) = 64.
// STATICU8-LABEL: func.func @linear(
// STATICU8: lowbit.quantize %{{.*}} as #lowbit.scheme<u8, affine> scales(0.0313725509 : f32) zero_points(64 : i32)
// STATICU8: col_sums(dense_resource<fc.q.colsums> : tensor<2xi32>)
func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense_resource<fc.q> : tensor<2x2xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense_resource<fc.scales> : tensor<2xf32>) : tensor<3x2xf32>, tensor<2x2xi8> -> tensor<3x2xf32> loc("fc")
  return %y : tensor<3x2xf32>
}
{-#
  dialect_resources: { builtin: {
    fc.q: "0x08000000027FFE7F",
    fc.scales: "0x080000000000003F0000803F"
  } }
#-}

// -----

// Batched activations: per-token scales are one per row of every batch,
// [B, M, 1] (group along K of size K).
// TOKEN-LABEL: func.func @batched(
// TOKEN: %[[AMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// TOKEN: %[[S:.*]] = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<2x3xf32>)
// TOKEN: %[[S3:.*]] = tensor.expand_shape %[[S]] {{\[}}[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
// TOKEN: lowbit.quantize %{{.*}} as #lowbit.scheme<i8, group = 4, axis = 2> scales(%[[S3]] : tensor<2x3x1xf32>) : tensor<2x3x4xf32> -> tensor<2x3x4xi8>
// TOKEN: lowbit.matmul {{.*}} bias(%{{.*}} : tensor<5xf32>) : tensor<2x3x4xi8>, tensor<5x4xi8> -> tensor<2x3x5xf32>
func.func @batched(%x: tensor<2x3x4xf32>, %w: tensor<5x4xi8>, %b: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8> scales(0.5 : f32) bias(%b : tensor<5xf32>) : tensor<2x3x4xf32>, tensor<5x4xi8> -> tensor<2x3x5xf32> loc("batched")
  return %y : tensor<2x3x5xf32>
}

// -----

// FP8 weights take FP8 activations (format=f8E4M3FN: s = amax / 448); with
// integer activations they stay weight-only.
// FP8-LABEL: func.func @fp8_weights(
// FP8: arith.constant 4.480000e+02 : f32
// FP8: lowbit.quantize %{{.*}} as #lowbit.scheme<f8E4M3FN, axis = 0> scales(%{{.*}} : tensor<3xf32>) : tensor<3x8xf32> -> tensor<3x8xf8E4M3FN>
// FP8: lowbit.matmul {{.*}} : tensor<3x8xf8E4M3FN>, tensor<4x8xf8E4M3FN> -> tensor<3x4xf32>
// TOKEN-LABEL: func.func @fp8_weights(
// TOKEN-NOT: lowbit.matmul
// TOKEN: lowbit.dequant_matmul
func.func @fp8_weights(%x: tensor<3x8xf32>, %w: tensor<4x8xf8E4M3FN>) -> tensor<3x4xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<1.0> : tensor<4xf32>) : tensor<3x8xf32>, tensor<4x8xf8E4M3FN> -> tensor<3x4xf32> loc("fp8")
  return %y : tensor<3x4xf32>
}

// -----

// NF4 codes index a table: no exact integer product, so weight-only stays.
// TOKEN-LABEL: func.func @nf4_weights(
// TOKEN-NOT: lowbit.quantize
// TOKEN: lowbit.dequant_matmul
// STATIC-LABEL: func.func @nf4_weights(
// STATIC: lowbit.dequant_matmul
func.func @nf4_weights(%x: tensor<3x64xf32>, %w: tensor<4x64xi4>) -> tensor<3x4xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 64, axis = 1> scales(dense<1.0> : tensor<4x1xf32>) : tensor<3x64xf32>, tensor<4x64xi4> -> tensor<3x4xf32> loc("nf4")
  return %y : tensor<3x4xf32>
}
