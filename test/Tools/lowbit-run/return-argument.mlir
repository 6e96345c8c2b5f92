// A function that returns its argument unchanged and a constant: the
// buffers bufferization hands back as clones must lower too
// (convert-bufferization-to-memref in lowbit-lower-to-cpu).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --dtype=f4 --shape=4 --values=1,2,3,4
// RUN: lowbit-run %s --input=%t/x.npy --output=%t/y.npy --output=%t/c.npy
// RUN: %python %S/Inputs/make_npy.py --show %t/y.npy | FileCheck %s --check-prefix=ARG
// RUN: %python %S/Inputs/make_npy.py --show %t/c.npy | FileCheck %s --check-prefix=CONST

// ARG: float32 (4,)
// ARG-NEXT: [1, 2, 3, 4]
// CONST: float32 (4,)
// CONST-NEXT: [1, 1, 1, 1]
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  return %x, %c : tensor<4xf32>, tensor<4xf32>
}
