// lowbit-smooth-quant: s_j = a_j^alpha / w_j^(1-alpha) from the statistics'
// channel_abs_max a and the weight's per-K-row abs-max w; W rows *= s, and
// 1/s goes into the producer of X (norm gamma, preceding matmul) or into an
// explicit multiply. All s below are computed by hand in the comments.
// RUN: echo '{"version": 1, "activations": {"norm_fc": {"channel_abs_max": [4, 18, 5, 0]}, "fc1": {"channel_abs_max": [4, 18, 5, 0]}, "shared_a": {"channel_abs_max": [4, 1]}, "shared_b": {"channel_abs_max": [4, 1]}, "own_c": {"channel_abs_max": [16, 1]}, "leaky": {"channel_abs_max": [4, 1]}, "zero": {"channel_abs_max": [4, 9, 5, 0]}}}' > %t.json
// RUN: lowbit-opt %s --split-input-file --lowbit-smooth-quant="stats=%t.json" 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.err
// RUN: lowbit-opt %s --split-input-file --lowbit-smooth-quant="stats=%t.json alpha=1.0" 2>/dev/null | FileCheck %s --check-prefix=ALPHA1
// RUN: lowbit-opt %s --split-input-file --lowbit-smooth-quant="stats=%t.json alpha=0.0" 2>/dev/null | FileCheck %s --check-prefix=ALPHA0

// Folded into a norm gamma. a = [4, 18, 5, 0], w = [1, 2, 0, 4]:
// s = [sqrt(4/1), sqrt(18/2), 1 (w = 0), 1 (a = 0)] = [2, 3, 1, 1];
// gamma / s = [0.5, 2/3, 3, 4]; W rows * s = [[2, 0], [1.5, -6], [0, 0],
// [4, 1]] (f32 little-endian in the blob: 2.0 = 00000040, 1.5 = 0000C03F,
// -6 = 0000C0C0, 4 = 00008040, 1 = 0000803F).
// CHECK-LABEL: func.func @gamma(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>
// CHECK-NOT: dense<[1.000000e+00, 2.000000e+00
// CHECK: %[[G:.*]] = arith.constant dense<[5.000000e-01, 0.666666686, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[G]] : tensor<2x4xf32>, tensor<4xf32>)
// CHECK: %[[W:.*]] = arith.constant dense_resource<norm_fc> : tensor<4x2xf32>
// CHECK: linalg.matmul ins(%[[N]], %[[W]] :
// CHECK: norm_fc: "0x0800000000000040000000000000C03F0000C0C00000000000000000000080400000803F"
#map = affine_map<(d0, d1) -> (d0, d1)>
#last = affine_map<(d0, d1) -> (d1)>
func.func @gamma(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %g = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %n = linalg.generic {indexing_maps = [#map, #last, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %g : tensor<2x4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    %m = arith.mulf %t, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4xf32>
  %w = arith.constant dense<[[1.0, 0.0], [0.5, -2.0], [0.0, 0.0], [4.0, 1.0]]> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%n, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("norm_fc")
  return %y : tensor<2x2xf32>
}

// -----

// Folded into the preceding matmul fc0 (no statistics of its own: a remark,
// and its rows stay): its columns and its broadcast bias are divided by
// s = [2, 3, 1, 1] (same statistics and weight as above).
// W0 = [[2, 3, 1, 1], [4, 6, 1, 1], [-2, -3, 1, 1]] -> [[1, 1, 1, 1],
// [2, 2, 1, 1], [-1, -1, 1, 1]] (1.0 = 0000803F, 2.0 = 00000040,
// -1.0 = 000080BF); bias [2, 9, 1, 1] -> [1, 3, 1, 1].
// REMARK: remark: lowbit-smooth-quant: 1 matmul(s) without channel_abs_max in '{{.*}}.json' left unsmoothed: fc0
// CHECK-LABEL: func.func @producer_matmul(
// CHECK: %[[W0:.*]] = arith.constant dense_resource<fc0> : tensor<3x4xf32>
// CHECK: %[[B:.*]] = arith.constant dense<[1.000000e+00, 3.000000e+00, 1.000000e+00, 1.000000e+00]> : tensor<4xf32>
// CHECK: %[[BB:.*]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>)
// CHECK: %[[H:.*]] = linalg.matmul ins(%{{.*}}, %[[W0]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[BB]] :
// CHECK: %[[W1:.*]] = arith.constant dense_resource<fc1> : tensor<4x2xf32>
// CHECK: linalg.matmul ins(%[[H]], %[[W1]] :
// CHECK: fc0: "0x080000000000803F0000803F0000803F0000803F00000040000000400000803F0000803F000080BF000080BF0000803F0000803F"
// CHECK: fc1: "0x0800000000000040000000000000C03F0000C0C00000000000000000000080400000803F"
func.func @producer_matmul(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %b = arith.constant dense<[2.0, 9.0, 1.0, 1.0]> : tensor<4xf32>
  %eb = tensor.empty() : tensor<2x4xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%eb : tensor<2x4xf32>) dimensions = [0]
  %w0 = arith.constant dense<[[2.0, 3.0, 1.0, 1.0], [4.0, 6.0, 1.0, 1.0], [-2.0, -3.0, 1.0, 1.0]]> : tensor<3x4xf32>
  %h = linalg.matmul ins(%x, %w0 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%bb : tensor<2x4xf32>) -> tensor<2x4xf32> loc("fc0")
  %w1 = arith.constant dense<[[1.0, 0.0], [0.5, -2.0], [0.0, 0.0], [4.0, 1.0]]> : tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%h, %w1 : tensor<2x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc1")
  return %y : tensor<2x2xf32>
}

// -----

// No producer (a function argument): explicit multiplies. shared_a and
// shared_b see a = [4, 1] and w = [1, 4]: s = [2, 0.5], 1/s = [0.5, 2],
// one multiply for both. own_c: a = [16, 1], w = [1, 1]: s = [4, 1], its own
// multiply by [0.25, 1].
// CHECK-LABEL: func.func @explicit(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>
// CHECK-DAG: %[[IC:.*]] = arith.constant dense<[2.500000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[IAB:.*]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[XC:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[IC]] : tensor<2x2xf32>, tensor<2xf32>)
// CHECK-DAG: %[[XAB:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[IAB]] : tensor<2x2xf32>, tensor<2xf32>)
// CHECK: linalg.matmul ins(%[[XAB]], %{{.*}} :
// CHECK: linalg.matmul ins(%[[XAB]], %{{.*}} :
// CHECK: linalg.matmul ins(%[[XC]], %{{.*}} :
func.func @explicit(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  %wa = arith.constant dense<[[1.0, 1.0], [1.0, 4.0]]> : tensor<2x2xf32>
  %wb = arith.constant dense<[[-1.0, 0.5], [4.0, 2.0]]> : tensor<2x2xf32>
  %wc = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %wa : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("shared_a")
  %b = linalg.matmul ins(%x, %wb : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("shared_b")
  %c = linalg.matmul ins(%x, %wc : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("own_c")
  return %a, %b, %c : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A norm whose output is also returned cannot absorb 1/s (the other reader
// would see X / s): gamma stays, an explicit multiply by [0.5, 2] is added.
// CHECK-LABEL: func.func @gamma_leaks(
// CHECK: %[[G:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[G]] :
// CHECK: %[[I:.*]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[N]], %[[I]] :
// CHECK: linalg.matmul ins(%[[S]], %{{.*}} :
// CHECK: return %{{.*}}, %[[N]]
#map = affine_map<(d0, d1) -> (d0, d1)>
#last = affine_map<(d0, d1) -> (d1)>
func.func @gamma_leaks(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %g = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %n = linalg.generic {indexing_maps = [#map, #last, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %g : tensor<2x2xf32>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x2xf32>
  %w = arith.constant dense<[[1.0, 1.0], [1.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%n, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("leaky")
  return %y, %n : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Alpha and the zero guard, on a weight stored [N, K] (linalg.matmul with
// transposed B). a = [4, 9, 5, 0], w = [1, 4, 0, 2] (channel 2 has an
// all-zero weight row, channel 3 never fires):
//   alpha 0.5: s = [2, 1.5, 1, 1]       1/s = [0.5, 2/3, 1, 1]
//   alpha 1:   s = a = [4, 9, 1, 1]     1/s = [0.25, 1/9, 1, 1]
//   alpha 0:   s = 1/w = [1, 0.25, 1, 1] 1/s = [1, 4, 1, 1]
// CHECK-LABEL: func.func @zero_channels(
// CHECK: arith.constant dense<[5.000000e-01, 0.666666686, 1.000000e+00, 1.000000e+00]> : tensor<4xf32>
// ALPHA1-LABEL: func.func @zero_channels(
// ALPHA1: arith.constant dense<[2.500000e-01, 0.111111112, 1.000000e+00, 1.000000e+00]> : tensor<4xf32>
// ALPHA0-LABEL: func.func @zero_channels(
// ALPHA0: arith.constant dense<[1.000000e+00, 4.000000e+00, 1.000000e+00, 1.000000e+00]> : tensor<4xf32>
func.func @zero_channels(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, -4.0, 0.0, 2.0], [0.5, 1.0, 0.0, -1.0]]> : tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<2x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32> loc("zero")
  return %y : tensor<2x2xf32>
}
