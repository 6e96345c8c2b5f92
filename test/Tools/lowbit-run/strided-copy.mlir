// Copies between strided views lower to calls to memrefCopy, which the JIT
// finds in MLIR's C runner utilities (libmlir_c_runner_utils).
//
//   a = arange(16).reshape(4, 4); rows 0 and 2, columns 1..2 of a
//   ([[1, 2], [9, 10]]) go to rows 1 and 3, columns 1..2 of a zero 4x4.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --shape=4x4 \
// RUN:   --values=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
// RUN: lowbit-run %s --input=%t/a.npy --output=%t/r.npy --dump-llvm | FileCheck %s
// CHECK: call void @memrefCopy(
// CHECK: output 0: float32 array of shape (4, 4)
// RUN: %python %S/Inputs/make_npy.py --show %t/r.npy | FileCheck %s --check-prefix=R
// R: [0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 9, 10, 0]

func.func @main(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = tensor.extract_slice %a[0, 1] [2, 2] [2, 1]
      : tensor<4x4xf32> to tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%init : tensor<4x4xf32>)
      -> tensor<4x4xf32>
  %r = tensor.insert_slice %s into %z[1, 1] [2, 2] [2, 1]
      : tensor<2x2xf32> into tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
