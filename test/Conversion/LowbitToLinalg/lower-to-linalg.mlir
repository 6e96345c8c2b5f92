// lowbit-lower-to-linalg: the linalg.generic each lowbit op becomes.
// RUN: lowbit-opt %s --split-input-file --lowbit-lower-to-linalg | FileCheck %s

// Packed i4 weight constant, groups of 32 along K: the blob is read as flat
// bytes (never expanded), byte (n*64 + k) floordiv 2, and the scale at
// (n, k floordiv 32).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BYTE:.*]] = affine_map<(d0, d1, d2) -> (d2 floordiv 2 + d1 * 32)>
// CHECK-DAG: #[[SCALE:.*]] = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[FLAT:.*]] = affine_map<(d0, d1, d2) -> (d2 + d1 * 64)>
// CHECK-LABEL: func.func @dequant_matmul_i4_group(
// CHECK-SAME: %[[XV:.*]]: tensor<2x64xf32>
// CHECK: %[[BYTES:.*]] = arith.constant dense_resource<w.q> : tensor<256xi8>
// CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<8x2xf16>
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[BYTE]], #[[SCALE]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[XV]], %[[BYTES]], %[[S]] : tensor<2x64xf32>, tensor<256xi8>, tensor<8x2xf16>) outs(%{{.*}} : tensor<2x8xf32>)
// CHECK: affine.apply #[[FLAT]]
// CHECK: arith.shrui
// CHECK: arith.xori
// CHECK: arith.sitofp
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: return %[[ACC]]
func.func @dequant_matmul_i4_group(%x: tensor<2x64xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<8x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<8x2xf16>) : tensor<2x64xf32>, tensor<8x64xi4> -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
{-#
  dialect_resources: { builtin: {
    w.q: "0x080000001111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
  } }
#-}

// -----

// NF4 codes decode through a 16-entry table; the bias and f16 result come
// in an epilogue.
// CHECK-LABEL: func.func @dequant_matmul_nf4_bias(
// CHECK: %[[TABLE:.*]] = arith.constant dense<[-1.000000e+00, {{.*}}, 1.000000e+00]> : tensor<16xf32>
// CHECK: %[[ACC:.*]] = linalg.generic
// CHECK: tensor.extract %[[TABLE]]
// CHECK: } -> tensor<3x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %{{.*}} : tensor<3x4xf32>, tensor<4xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @dequant_matmul_nf4_bias(%x: tensor<3x8xf16>, %w: tensor<4x8xi4>, %b: tensor<4xf16>) -> tensor<3x4xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 8, axis = 1> scales(dense<1.0> : tensor<4x1xf32>) bias(%b : tensor<4xf16>) : tensor<3x8xf16>, tensor<4x8xi4> -> tensor<3x4xf16>
  return %y : tensor<3x4xf16>
}

// -----

// The integer matmul: exact i32 sums of (a - za) * w per weight group
// (k = g * 16 + j), then the scales applied per group and summed.
// CHECK-LABEL: func.func @integer_matmul_grouped(
// CHECK: %[[A:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [2, 2, 16] : tensor<2x32xi8> into tensor<2x2x16xi8>
// CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %{{.*}}, %{{.*}} : tensor<2x2x16xi8>, tensor<4x32xi4>, tensor<2xi32>) outs(%{{.*}} : tensor<2x4x2xi32>)
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[SUMS]], %{{.*}}, %{{.*}} : tensor<2x4x2xi32>, tensor<2xf32>, tensor<4x2xf32>)
// CHECK: arith.sitofp
// CHECK: return %[[Y]]
func.func @integer_matmul_grouped(%a: tensor<2x32xi8>, %w: tensor<4x32xi4>, %s: tensor<2xf32>, %z: tensor<2xi32>) -> tensor<2x4xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<2xf32>) zero_points(%z : tensor<2xi32>)) rhs(as #lowbit.scheme<i4, group = 16, axis = 1> scales(dense<0.25> : tensor<4x2xf32>)) : tensor<2x32xi8>, tensor<4x32xi4> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Quantize: round half to even, zero-point, clamp, narrow.
// CHECK-LABEL: func.func @quantize_u8(
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @quantize_u8(%x: tensor<4x8xf32>) -> tensor<4x8xi8> {
  %q = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(128 : i32) : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

// An observer is the identity outside calibration.
// CHECK-LABEL: func.func @observe(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT: return %[[X]]
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = lowbit.observe %x id "a" stats [min_max] : tensor<4xf32>
  return %y : tensor<4xf32>
}
