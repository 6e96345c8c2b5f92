// lowbit-insert-observers on ids that collide (a name location carries no
// line, so the warning is checked on stderr rather than with
// --verify-diagnostics).
// RUN: lowbit-opt %s --lowbit-insert-observers 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=WARN < %t.err
// WARN: warning: loc("proj"): lowbit-insert-observers: observer id 'proj' is already used; this one is 'proj#2' (static quantization will not find it under 'proj')

// Two matmuls with one location name: the second id gets a suffix, and the
// warning says static quantization will not find it under the shared name.
// CHECK-LABEL: func.func @collision(
// CHECK: lowbit.observe %{{.*}} id "proj"
// CHECK: lowbit.observe %{{.*}} id "proj#2"
func.func @collision(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32> loc("proj")
  %b = linalg.matmul ins(%a, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32> loc("proj")
  return %b : tensor<2x2xf32>
}

