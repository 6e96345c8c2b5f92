// RUN: not lowbit-opt %s --lowbit-expose-layers=mode=both 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: error: lowbit-expose-layers: option 'mode' must be 'tap' or 'isolate', got 'both'
// RUN: not lowbit-opt %s --lowbit-expose-layers=entry=forward 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: lowbit-expose-layers: no function @forward with a body (option 'entry')
// RUN: lowbit-opt %s --lowbit-expose-layers -o /dev/null 2>&1 | FileCheck %s --check-prefix=WARN
// WARN: warning: loc("other"): lowbit-expose-layers: matmul outside @main is not exposed
// RUN: not lowbit-opt %s --lowbit-expose-layers --lowbit-expose-layers 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: lowbit-expose-layers: @main already has exposed layers ('lowbit.layers')

func.func @helper(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %r = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("other")
  return %r : tensor<2x2xf32>
}
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %b = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("kept")
  return %b : tensor<2x2xf32>
}
