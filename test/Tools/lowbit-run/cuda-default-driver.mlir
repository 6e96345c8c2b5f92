// Without a GPU, --device=cuda with the default driver (libcuda.so.1 from
// the loader path) fails with "no CUDA driver found" and exit code 1.
// UNSUPPORTED: cuda-gpu

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=2x32 --random=1
// RUN: not lowbit-run %s --input=%t/x.npy --device=cuda 2>&1 | FileCheck %s
// CHECK: output 0: float32 array of shape (2, 32)
// CHECK: lowbit-run: error: --device=cuda: no CUDA driver found

func.func @main(%x: tensor<2x32xf32>) -> tensor<2x32xf32> {
  %y = arith.addf %x, %x : tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
