// Which ops lowbit-quantize-weights recognises as matmuls with a constant
// weight, and how each is rewritten.
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i8 granularity=channel" | FileCheck %s

// Weight already [N, K] (transposed indexing map): no transpose needed,
// codes keep the stored [N, K] shape.
// CHECK-LABEL: func.func @matmul_transpose_b(
// CHECK: %[[W:.*]] = arith.constant dense_resource<w.q> : tensor<4x8xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]] as #lowbit.scheme<i8, axis = 0> scales(dense_resource<w.scales> : tensor<4xf32>) : tensor<2x8xf32>, tensor<4x8xi8> -> tensor<2x4xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul_transpose_b(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense_resource<w> : tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x8xf32>, tensor<4x8xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
{-#
  dialect_resources: { builtin: { w: "0x040000000000803F000000400000404000008040000080BF000000C0000040C0000080C00000803F000000400000404000008040000080BF000000C0000040C0000080C00000803F000000400000404000008040000080BF000000C0000040C0000080C00000803F000000400000404000008040000080BF000000C0000040C0000080C0" } }
#-}

// -----

// A non-zero accumulator is added back after the quantized product.
// CHECK-LABEL: func.func @accumulate(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>, %[[ACC:.*]]: tensor<2x3xf32>
// CHECK: %[[Y:.*]] = lowbit.dequant_matmul %[[X]]
// CHECK: %[[SUM:.*]] = arith.addf %[[Y]], %[[ACC]] : tensor<2x3xf32>
// CHECK: return %[[SUM]]
func.func @accumulate(%x: tensor<2x2xf32>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// batch_matmul with a constant [B, K, N] weight: codes [B, N, K], and "per
// channel" means one scale per (b, n): a group spanning all of K.
// CHECK-LABEL: func.func @batch_matmul(
// CHECK: arith.constant dense_resource<weight.q> : tensor<2x3x4xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i8, group = 4, axis = 2> scales(dense_resource<weight.scales> : tensor<2x3x1xf32>) : tensor<2x5x4xf32>, tensor<2x3x4xi8> -> tensor<2x5x3xf32>
func.func @batch_matmul(%x: tensor<2x5x4xf32>) -> tensor<2x5x3xf32> {
  %w = arith.constant dense<0.5> : tensor<2x4x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x5x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x5x4xf32>, tensor<2x4x3xf32>) outs(%acc : tensor<2x5x3xf32>) -> tensor<2x5x3xf32>
  return %y : tensor<2x5x3xf32>
}

// -----

// A contraction written as linalg.generic over [B, S, K] activations (two M
// loops) with a shared [K, N] weight.
// CHECK-LABEL: func.func @generic_contraction(
// CHECK: arith.constant dense_resource<weight.q> : tensor<3x4xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i8, axis = 0> {{.*}} : tensor<2x5x4xf32>, tensor<3x4xi8> -> tensor<2x5x3xf32>
// CHECK-NOT: linalg.generic
#lhs = affine_map<(b, s, n, k) -> (b, s, k)>
#rhs = affine_map<(b, s, n, k) -> (k, n)>
#out = affine_map<(b, s, n, k) -> (b, s, n)>
func.func @generic_contraction(%x: tensor<2x5x4xf32>) -> tensor<2x5x3xf32> {
  %w = arith.constant dense<0.25> : tensor<4x3xf32>
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
// CHECK: arith.constant dense_resource<weight.q> : tensor<1x3x4xi8>
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i8, group = 4, axis = 2> {{.*}} : tensor<1x5x4xf32>, tensor<1x3x4xi8> -> tensor<1x5x3xf32>
// CHECK-NOT: tosa.matmul
func.func @tosa_matmul(%x: tensor<1x5x4xf32>) -> tensor<1x5x3xf32> {
  %w = "tosa.const"() <{values = dense<1.5> : tensor<1x4x3xf32>}> : () -> tensor<1x4x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x3xf32>
  return %y : tensor<1x5x3xf32>
}

// -----

// Half-precision model: f16 activations, f16 weight, f16 result.
// CHECK-LABEL: func.func @f16_linear(
// CHECK: lowbit.dequant_matmul {{.*}} : tensor<2x4xf16>, tensor<3x4xi8> -> tensor<2x3xf16>
func.func @f16_linear(%x: tensor<2x4xf16>) -> tensor<2x3xf16> {
  %w = arith.constant dense<0.5> : tensor<4x3xf16>
  %zero = arith.constant 0.0 : f16
  %empty = tensor.empty() : tensor<2x3xf16>
  %acc = linalg.fill ins(%zero : f16) outs(%empty : tensor<2x3xf16>) -> tensor<2x3xf16>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf16>, tensor<4x3xf16>) outs(%acc : tensor<2x3xf16>) -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

// One weight read by two matmuls is quantized once.
// CHECK-LABEL: func.func @shared_weight(
// CHECK: %[[W:.*]] = arith.constant dense_resource<weight.q> : tensor<3x4xi8>
// CHECK-NOT: arith.constant dense_resource
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]]
// CHECK: lowbit.dequant_matmul %{{.*}}, %[[W]]
func.func @shared_weight(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %w = arith.constant dense<0.5> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = linalg.matmul ins(%y, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %a, %b : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Activation x activation (attention scores): no constant weight, so the
// matmul must stay in float.
// CHECK-LABEL: func.func @no_constant_weight(
// CHECK: linalg.matmul
// CHECK-NOT: lowbit.dequant_matmul
func.func @no_constant_weight(%q: tensor<4x8xf32>, %k: tensor<8x4xf32>, %acc: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %y = linalg.matmul ins(%q, %k : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// The constant is the left operand (W x): dequant_matmul's weight is the
// right one, so this form is left alone rather than rewritten wrongly.
// CHECK-LABEL: func.func @constant_lhs(
// CHECK: linalg.matmul
// CHECK-NOT: lowbit.dequant_matmul
func.func @constant_lhs(%x: tensor<4x2xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<0.5> : tensor<3x4xf32>
  %y = linalg.matmul ins(%w, %x : tensor<3x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Elementwise linalg.generic with a constant operand is not a contraction.
// CHECK-LABEL: func.func @not_a_contraction(
// CHECK: linalg.generic
// CHECK-NOT: lowbit.dequant_matmul
func.func @not_a_contraction(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : tensor<4x4xf32>, tensor<4x4xf32>) outs(%x : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// Chained layers: the second matmul reads the first one's result, which the
// rewrite replaces; the second must read the new dequant_matmul.
// CHECK-LABEL: func.func @chained_layers(
// CHECK: %[[H:.*]] = lowbit.dequant_matmul %{{.*}}, %{{.*}} as {{.*}} -> tensor<2x3xf32>
// CHECK: %[[Y:.*]] = lowbit.dequant_matmul %[[H]], %{{.*}} as {{.*}} -> tensor<2x5xf32>
// CHECK: return %[[Y]]
func.func @chained_layers(%x: tensor<2x4xf32>) -> tensor<2x5xf32> {
  %w1 = arith.constant dense<0.5> : tensor<4x3xf32>
  %w2 = arith.constant dense<0.25> : tensor<3x5xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<2x3xf32>
  %acc1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc1 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x5xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<2x3xf32>, tensor<3x5xf32>) outs(%acc2 : tensor<2x5xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// A contraction generic whose body transforms its operands (exp(a) * -b)
// is not a matmul of a and b: rewriting it would drop the exp and the
// negation.
// CHECK-LABEL: func.func @not_a_plain_matmul_body(
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK-NOT: lowbit.dequant_matmul
func.func @not_a_plain_matmul_body(%x: tensor<2x2xf32>, %acc: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x2xf32>, tensor<2x1xf32>) outs(%acc : tensor<2x1xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %e = math.exp %a : f32
    %n = arith.negf %b : f32
    %p = arith.mulf %e, %n : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

// f64 has no lowbit.dequant_matmul (f32, f16 and bf16 only): left alone.
// CHECK-LABEL: func.func @f64_matmul(
// CHECK: linalg.matmul
// CHECK-NOT: lowbit.dequant_matmul
func.func @f64_matmul(%x: tensor<2x4xf64>, %acc: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %w = arith.constant dense<0.5> : tensor<4x3xf64>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf64>, tensor<4x3xf64>) outs(%acc : tensor<2x3xf64>) -> tensor<2x3xf64>
  return %y : tensor<2x3xf64>
}
