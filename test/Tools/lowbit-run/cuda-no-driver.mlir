// lowbit-run --device=cuda compiles the model with lowbit-lower-to-nvvm
// (after the CPU run) and then needs the CUDA driver, which the runtime
// loads with dlopen: without one it says so and exits 1, it never crashes.
// The driver library can be overridden with LOWBIT_CUDA_DRIVER, which lets
// this test reach the "no driver" paths on any machine: a missing file, and
// the CUDA toolkit's stub libcuda (every entry point resolves, cuInit fails).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4x64 --random=1
// RUN: %python %S/Inputs/make_npy.py %t/w.npy --shape=64x16 --random=2

// RUN: env LOWBIT_CUDA_DRIVER=%t/missing/libcuda.so.1 not lowbit-run %s --input=%t/x.npy --input=%t/w.npy --device=cuda > %t/missing.out 2>&1
// RUN: FileCheck %s --check-prefix=MISSING < %t/missing.out
// MISSING: output 0: float32 array of shape (4, 16)
// MISSING: lowbit-run: error: --device=cuda: no CUDA driver found (cannot load {{.*}}missing/libcuda.so.1: {{.*}}No such file or directory)

// RUN: %if cuda-stub %{ env LOWBIT_CUDA_DRIVER=%cuda_stub not lowbit-run %s --input=%t/x.npy --input=%t/w.npy --device=cuda --chip=sm_80 2>&1 | FileCheck %s --check-prefix=STUB %}
// STUB: lowbit-run: error: --device=cuda: no CUDA driver found ({{.*}}libcuda.so is the CUDA toolkit's stub library, not a driver)

// Bad option values are rejected before anything is compiled.
// RUN: not lowbit-run %s --input=%t/x.npy --input=%t/w.npy --device=tpu 2>&1 | FileCheck %s --check-prefix=DEVICE
// DEVICE: lowbit-run: error: --device must be cpu or cuda, got 'tpu'
// RUN: not lowbit-run %s --input=%t/x.npy --input=%t/w.npy --device=cuda --chip=sm_75 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: lowbit-run: error: --chip must be sm_90a or sm_80, got 'sm_75'

func.func @main(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
