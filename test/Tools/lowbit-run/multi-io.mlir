// Several inputs and outputs, matched by position; --entry picks a function
// other than @main; the bytecode form of the module runs the same.
//
//   @affine(x, s, t) = (x * s + t, x - t, 2 s)   elementwise, by hand:
//   x = [1, 2, 3, 4], s = [2, 2, 0.5, -1], t = [0.5, 0, 1, 1]
//   -> [2.5, 4, 2.5, -3], [0.5, 2, 2, 3], [4, 4, 1, -2]

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4 --values=1,2,3,4
// RUN: %python %S/Inputs/make_npy.py %t/s.npy --shape=4 --values=2,2,0.5,-1
// RUN: %python %S/Inputs/make_npy.py %t/t.npy --shape=4 --values=0.5,0,1,1

// RUN: lowbit-run %s --entry=affine --input=%t/x.npy --input=%t/s.npy \
// RUN:   --input=%t/t.npy --output=%t/y0.npy --output=%t/y1.npy \
// RUN:   --output=%t/y2.npy | FileCheck %s
// CHECK:      output 0: float32 array of shape (4,) -> {{.*}}y0.npy
// CHECK-NEXT: output 1: float32 array of shape (4,) -> {{.*}}y1.npy
// CHECK-NEXT: output 2: float32 array of shape (4,) -> {{.*}}y2.npy
// RUN: %python %S/Inputs/make_npy.py --show %t/y0.npy | FileCheck %s --check-prefix=Y0
// Y0: [2.5, 4, 2.5, -3]
// RUN: %python %S/Inputs/make_npy.py --show %t/y1.npy | FileCheck %s --check-prefix=Y1
// Y1: [0.5, 2, 2, 3]
// RUN: %python %S/Inputs/make_npy.py --show %t/y2.npy | FileCheck %s --check-prefix=Y2
// Y2: [4, 4, 1, -2]

// Bytecode: same results, byte for byte.
// RUN: lowbit-opt %s --emit-bytecode -o %t/model.mlirbc
// RUN: lowbit-run %t/model.mlirbc --entry=affine --input=%t/x.npy \
// RUN:   --input=%t/s.npy --input=%t/t.npy --output-dir=%t/bc
// RUN: cmp %t/y0.npy %t/bc/output_0.npy
// RUN: cmp %t/y1.npy %t/bc/output_1.npy
// RUN: cmp %t/y2.npy %t/bc/output_2.npy

// The default entry is @main; a 0-d tensor is a shape () array.
// RUN: %python %S/Inputs/make_npy.py %t/k.npy --shape= --values=3
// RUN: lowbit-run %s --input=%t/x.npy --input=%t/k.npy --output=%t/sum.npy \
// RUN:   | FileCheck %s --check-prefix=MAIN
// MAIN: output 0: float32 array of shape () -> {{.*}}sum.npy
// RUN: %python %S/Inputs/make_npy.py --show %t/sum.npy | FileCheck %s --check-prefix=SUM
// SUM:      float32 ()
// SUM-NEXT: [13]

func.func @affine(%x: tensor<4xf32>, %s: tensor<4xf32>, %t: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %xs = arith.mulf %x, %s : tensor<4xf32>
  %y0 = arith.addf %xs, %t : tensor<4xf32>
  %y1 = arith.subf %x, %t : tensor<4xf32>
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %y2 = arith.mulf %s, %two : tensor<4xf32>
  return %y0, %y1, %y2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// sum(x) + k as a 0-d tensor: 1 + 2 + 3 + 4 + 3 = 13.
func.func @main(%x: tensor<4xf32>, %k: tensor<f32>) -> tensor<f32> {
  %r = linalg.reduce ins(%x : tensor<4xf32>) outs(%k : tensor<f32>)
      dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}
