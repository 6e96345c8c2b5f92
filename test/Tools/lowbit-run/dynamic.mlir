// Dynamic dimensions take their sizes from the input arrays, and results of
// dynamic shape come back with the sizes the function computed.
//
//   @main(a: ?x3, w: 3x?) = a @ w;  w = [[1, 0], [0, 1], [0, 0]] selects
//   the first two columns of a, so the result is a[:, :2].

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/w.npy --shape=3x2 --values=1,0,0,1,0,0
// RUN: %python %S/Inputs/make_npy.py %t/a3.npy --shape=3x3 --values=1,2,3,4,5,6,7,8,9
// RUN: %python %S/Inputs/make_npy.py %t/a1.npy --shape=1x3 --values=-1,-2,-3
// RUN: %python %S/Inputs/make_npy.py %t/a0.npy --shape=0x3 --values=0

// RUN: lowbit-run %s --input=%t/a3.npy --input=%t/w.npy --output=%t/r3.npy | FileCheck %s --check-prefix=R3
// R3: output 0: float32 array of shape (3, 2)
// RUN: %python %S/Inputs/make_npy.py --show %t/r3.npy | FileCheck %s --check-prefix=V3
// V3:      float32 (3, 2)
// V3-NEXT: [1, 2, 4, 5, 7, 8]

// RUN: lowbit-run %s --input=%t/a1.npy --input=%t/w.npy --output=%t/r1.npy | FileCheck %s --check-prefix=R1
// R1: output 0: float32 array of shape (1, 2)
// RUN: %python %S/Inputs/make_npy.py --show %t/r1.npy | FileCheck %s --check-prefix=V1
// V1: [-1, -2]

// An empty batch is a valid size too.
// RUN: lowbit-run %s --input=%t/a0.npy --input=%t/w.npy --output=%t/r0.npy | FileCheck %s --check-prefix=R0
// R0: output 0: float32 array of shape (0, 2)

// The static dimension still has to match, and so does the rank.
// RUN: not lowbit-run %s --input=%t/w.npy --input=%t/w.npy 2>&1 | FileCheck %s --check-prefix=STATIC
// STATIC: lowbit-run: error: input 0 ('{{.*}}w.npy'): expected tensor<?x3xf32>, got float32 array of shape (3, 2)
// RUN: %python %S/Inputs/make_npy.py %t/v.npy --shape=3 --values=1,2,3
// RUN: not lowbit-run %s --input=%t/v.npy --input=%t/w.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: lowbit-run: error: input 0 ('{{.*}}v.npy'): expected tensor<?x3xf32>, got float32 array of shape (3,)

func.func @main(%a: tensor<?x3xf32>, %w: tensor<3x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x3xf32>
  %n = tensor.dim %w, %c1 : tensor<3x?xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x?xf32>)
      -> tensor<?x?xf32>
  %r = linalg.matmul ins(%a, %w : tensor<?x3xf32>, tensor<3x?xf32>)
                     outs(%acc : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
