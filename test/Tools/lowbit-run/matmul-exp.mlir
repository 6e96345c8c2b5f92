// A float matmul followed by math.exp and arith ops, against values worked
// out by hand:
//
//   a = [[1, 2, 0], [0, -1, 1]]      b = [[1, 0], [0, 1], [0.5, 0.5]]
//   m = a @ b = [[1, 2], [0.5, -0.5]]                (exact in f32)
//   y = exp(m) + m
//     = [[e + 1, e^2 + 2], [e^0.5 + 0.5, e^-0.5 - 0.5]]
//     = [[3.718281828, 9.389056099], [2.148721271, 0.106530660]]
//
// with e = 2.718281828, e^2 = 7.389056099, e^0.5 = 1.648721271,
// e^-0.5 = 0.606530660. The f32 exp is within a few ulp (~2e-7 relative);
// subtracting 0.5 from 0.6065 loses another factor of ~6 in relative terms,
// so y is checked with rtol = 1e-6 (atol 0: no element is near zero).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --shape=2x3 --values=1,2,0,0,-1,1
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --shape=3x2 --values=1,0,0,1,0.5,0.5
// RUN: %python %S/Inputs/make_npy.py %t/m.ref.npy --shape=2x2 --values=1,2,0.5,-0.5
// RUN: %python %S/Inputs/make_npy.py %t/y.ref.npy --shape=2x2 \
// RUN:   --values=3.718281828,9.389056099,2.148721271,0.106530660

// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy \
// RUN:   --output=%t/m.npy --output=%t/y.npy \
// RUN:   --expected=%t/m.ref.npy --expected=%t/y.ref.npy --rtol=1e-6 --atol=0 \
// RUN:   | FileCheck %s
// CHECK:      output 0: float32 array of shape (2, 2) -> {{.*}}m.npy
// CHECK-NEXT: output 1: float32 array of shape (2, 2) -> {{.*}}y.npy
// CHECK-NEXT: output 0: max_abs=0 sqnr_db=inf cosine=1 [PASS]
// CHECK-NEXT: output 1: max_abs={{[0-9.e-]+}} sqnr_db={{[0-9.]+}} cosine={{[0-9.]+}} [PASS]

// The files lowbit-run wrote read back with the independent Python reader.
// RUN: %python %S/Inputs/make_npy.py --show %t/m.npy | FileCheck %s --check-prefix=M
// M:      float32 (2, 2)
// M-NEXT: [1, 2, 0.5, -0.5]
// RUN: %python %S/Inputs/make_npy.py --show %t/y.npy | FileCheck %s --check-prefix=Y
// Y:      float32 (2, 2)
// Y-NEXT: [3.71828{{[0-9]*}}, 9.38905{{[0-9]*}}, 2.14872{{[0-9]*}}, 0.10653{{[0-9]*}}]

func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>)
    -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<2x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<2x2xf32>)
      -> tensor<2x2xf32>
  %m = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x2xf32>)
                     outs(%acc : tensor<2x2xf32>) -> tensor<2x2xf32>
  %e = math.exp %m : tensor<2x2xf32>
  %y = arith.addf %e, %m : tensor<2x2xf32>
  return %m, %y : tensor<2x2xf32>, tensor<2x2xf32>
}
