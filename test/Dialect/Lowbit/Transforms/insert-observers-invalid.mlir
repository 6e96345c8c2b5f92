// lowbit-insert-observers rejects statistics it does not know, lists that
// repeat one, and histogram sizes the op cannot hold.
// RUN: not lowbit-opt %s --lowbit-insert-observers="stats=min_max,median" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not lowbit-opt %s --lowbit-insert-observers="stats=min_max,min_max" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not lowbit-opt %s --lowbit-insert-observers="bins=1" 2>&1 | FileCheck %s --check-prefix=BINS

// UNKNOWN: unknown statistic 'median' in option 'stats'; expected min_max, moving_average_min_max, histogram, channel_abs_max or gram
// TWICE: statistic 'min_max' listed twice in option 'stats'
// BINS: option 'bins' must be in [2, 1048576], got 1
func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  return %y : tensor<2x2xf32>
}
