// lowbit-insert-observers: one lowbit.observe on the activation of every
// matmul lowbit-quantize-weights would quantize and of every
// lowbit.dequant_matmul, with the id lowbit-quantize-activations reads.
// RUN: lowbit-opt %s --split-input-file --lowbit-insert-observers --verify-diagnostics | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-insert-observers="stats=min_max,channel_abs_max,gram outputs=true" --verify-diagnostics | FileCheck %s --check-prefix=OUT
// Running the pass twice adds nothing.
// RUN: lowbit-opt %s --split-input-file --lowbit-insert-observers --verify-diagnostics --mlir-print-debuginfo | lowbit-opt --split-input-file --lowbit-insert-observers | FileCheck %s --check-prefix=TWICE

// A two-layer MLP: each matmul's input observed under its location name;
// fc2 reads fc1's result (with outputs=true, fc1's observed result).
// CHECK-LABEL: func.func @mlp(
// CHECK-SAME: %[[X:[^:]*]]: tensor<4x8xf32>
// CHECK: %[[O1:.*]] = lowbit.observe %[[X]] id "fc1" stats [min_max, histogram] {bins = 2048 : i64} : tensor<4x8xf32>
// CHECK: %[[H:.*]] = linalg.matmul ins(%[[O1]], %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK: %[[O2:.*]] = lowbit.observe %[[H]] id "fc2" stats [min_max, histogram] {bins = 2048 : i64} : tensor<4x16xf32>
// CHECK: linalg.matmul ins(%[[O2]], %{{.*}} : tensor<4x16xf32>, tensor<16x4xf32>)
// CHECK-NOT: lowbit.observe

// OUT-LABEL: func.func @mlp(
// OUT-SAME: %[[X:[^:]*]]: tensor<4x8xf32>
// OUT: %[[O1:.*]] = lowbit.observe %[[X]] id "fc1" stats [min_max, channel_abs_max, gram] : tensor<4x8xf32>
// OUT: %[[H:.*]] = linalg.matmul ins(%[[O1]], %{{.*}}
// OUT: %[[H1:.*]] = lowbit.observe %[[H]] id "fc1.output" stats [min_max, channel_abs_max, gram] : tensor<4x16xf32>
// OUT: %[[O2:.*]] = lowbit.observe %[[H1]] id "fc2" stats
// OUT: %[[Y:.*]] = linalg.matmul ins(%[[O2]], %{{.*}}
// OUT: %[[Y1:.*]] = lowbit.observe %[[Y]] id "fc2.output" stats
// OUT: return %[[Y1]]

// TWICE-LABEL: func.func @mlp(
// TWICE-COUNT-2: lowbit.observe
// TWICE-NOT: lowbit.observe
func.func @mlp(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  %w1 = arith.constant dense<0.5> : tensor<8x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x4xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %i1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i1 : tensor<4x16xf32>) -> tensor<4x16xf32> loc("fc1")
  %e2 = tensor.empty() : tensor<4x4xf32>
  %i2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x16xf32>, tensor<16x4xf32>) outs(%i2 : tensor<4x4xf32>) -> tensor<4x4xf32> loc("fc2")
  return %y : tensor<4x4xf32>
}

// -----

// An already quantized matmul is observed under getOpIdentifier's name for
// it: here the stem of its weight resource, fc.q -> "fc".
// CHECK-LABEL: func.func @dequant_matmul(
// TWICE-LABEL: func.func @dequant_matmul(
// CHECK-SAME: %[[X:[^:]*]]: tensor<3x2xf16>
// CHECK: %[[O:.*]] = lowbit.observe %[[X]] id "fc" stats [min_max, histogram] {bins = 2048 : i64} : tensor<3x2xf16>
// CHECK: lowbit.dequant_matmul %[[O]], %{{.*}}
func.func @dequant_matmul(%x: tensor<3x2xf16>) -> tensor<3x2xf16> {
  %w = arith.constant dense_resource<fc.q> : tensor<2x2xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<1.0> : tensor<2xf32>) : tensor<3x2xf16>, tensor<2x2xi8> -> tensor<3x2xf16>
  return %y : tensor<3x2xf16>
}
{-#
  dialect_resources: { builtin: {
    fc.q: "0x08000000027FFE7F"
  } }
#-}

// -----

// A float weight stored as dense_resource names the matmul: its quantized
// weight becomes "w_up.q", so the dequant_matmul's id is "w_up".
// CHECK-LABEL: func.func @resource_weight(
// CHECK: lowbit.observe %{{.*}} id "w_up"
func.func @resource_weight(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense_resource<w_up> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
{-#
  dialect_resources: { builtin: {
    w_up: "0x040000000000803F000000400000404000008040"
  } }
#-}

// -----

// No name and a plain dense weight: the positional id is used, with a
// warning that it may not survive quantization.
// CHECK-LABEL: func.func @positional(
// CHECK: lowbit.observe %{{.*}} id "linalg.matmul#0"
func.func @positional(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  // expected-warning @+1 {{its observer id 'linalg.matmul#0' is positional}}
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// The weight is not a constant (an attention score product): such matmuls
// are never quantized, so they are not observed.
// CHECK-LABEL: func.func @not_constant(
// CHECK-NOT: lowbit.observe
func.func @not_constant(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32> loc("scores")
  return %y : tensor<2x2xf32>
}
