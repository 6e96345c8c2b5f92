// A 4x64 @ 64x16 matmul, SiLU (h / (1 + exp(-h))) and a bias, on seeded
// random inputs in [-1, 1), against a float64 reference computed in plain
// Python (Inputs/reference.py, math.fsum and math.exp).
//
// Tolerances: the f32 dot product over K = 64 accumulates rounding of about
// sqrt(K) * 2^-24 * sum|x w| <= 8 * 6e-8 * 64 = 3e-5 in the worst case and
// ~1e-6 typically; SiLU's slope is at most 1.1. So atol = 1e-5 covers
// elements near zero and rtol = 1e-5 the rest, while a wrong kernel (any
// element off by a whole product, ~1e-2) fails.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4x64 --random=1
// RUN: %python %S/Inputs/make_npy.py %t/w.npy --shape=64x16 --random=2
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --shape=16 --random=3
// RUN: %python %S/Inputs/reference.py silu-mlp %t/x.npy %t/w.npy %t/b.npy %t/ref.npy

// RUN: lowbit-run %s --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy \
// RUN:   --expected=%t/ref.npy --rtol=1e-5 --atol=1e-5 | FileCheck %s
// CHECK:      output 0: float32 array of shape (4, 16)
// CHECK-NEXT: output 0: max_abs={{.*}} sqnr_db={{.*}} cosine={{.*}} [PASS]

// Every optimization level computes the same thing.
// RUN: lowbit-run %s --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy \
// RUN:   --expected=%t/ref.npy --rtol=1e-5 --atol=1e-5 --opt-level=0 | FileCheck %s
// RUN: lowbit-run %s --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy \
// RUN:   --expected=%t/ref.npy --rtol=1e-5 --atol=1e-5 --opt-level=3 | FileCheck %s

// Comparing against another seed's inputs fails and exits 1.
// RUN: %python %S/Inputs/make_npy.py %t/x2.npy --shape=4x64 --random=4
// RUN: %python %S/Inputs/reference.py silu-mlp %t/x2.npy %t/w.npy %t/b.npy %t/ref2.npy
// RUN: not lowbit-run %s --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy \
// RUN:   --expected=%t/ref2.npy --rtol=1e-5 --atol=1e-5 | FileCheck %s --check-prefix=WRONG
// WRONG: output 0: max_abs={{.*}} [FAIL]
// WRONG-NEXT: {{[0-9]+}} of 64 elements differ by more than atol + rtol * |expected| (atol=1e-05, rtol=1e-05); first at [0, 0]: got

func.func @main(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>,
                %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %init = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x16xf32>)
      -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
                     outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>,
                       affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%h, %bias : tensor<4x16xf32>, tensor<16xf32>)
      outs(%init : tensor<4x16xf32>) {
  ^bb0(%hv: f32, %bv: f32, %out: f32):
    %neg = arith.negf %hv : f32
    %exp = math.exp %neg : f32
    %den = arith.addf %one, %exp : f32
    %silu = arith.divf %hv, %den : f32
    %sum = arith.addf %silu, %bv : f32
    linalg.yield %sum : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
