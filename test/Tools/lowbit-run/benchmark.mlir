// --benchmark=N times N calls after the first one (which produces the
// outputs and warms up) and prints the median and the minimum; every call
// sees the same inputs. Timings are not checked, only the format.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --shape=16x32 --random=5
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --shape=32x8 --random=6
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --benchmark=7 | FileCheck %s
// CHECK:      output 0: float32 array of shape (16, 8)
// CHECK-NEXT: median_ms={{[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?}} min_ms={{[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?}} runs=7
// CHECK-NOT:  median_ms

// The results of the timed calls are the results of the first call: write
// them with and without benchmarking and compare.
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/once.npy
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/bench.npy --benchmark=3 \
// RUN:   | FileCheck %s --check-prefix=THREE
// THREE: runs=3
// RUN: cmp %t/once.npy %t/bench.npy

// Without --benchmark there is no timing line.
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy | FileCheck %s --check-prefix=NONE
// NONE-NOT: median_ms

func.func @main(%a: tensor<16x32xf32>, %b: tensor<32x8xf32>)
    -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<16x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<16x8xf32>)
      -> tensor<16x8xf32>
  %m = linalg.matmul ins(%a, %b : tensor<16x32xf32>, tensor<32x8xf32>)
                     outs(%acc : tensor<16x8xf32>) -> tensor<16x8xf32>
  %r = math.tanh %m : tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}
