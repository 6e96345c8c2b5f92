// lowbit-run --device=cuda on a GPU: the float matmul below (generic
// kernels), the f16 linear layer of the lowbit-lower-to-nvvm tests with
// each weight format (GEMV kernel), a W4A16 layer at M = 32
// (tensor-core kernel), and integer and FP8 lowbit.matmuls at M = 32
// (lowbit-gpu-quant-matmul) and at tile multiples of 128 (the wgmma kernel),
// run on the CPU and on the GPU and agree.
// REQUIRES: cuda-gpu
//
// Tolerances: the float matmul accumulates in f32 over K = 64 on both
// sides, in the same order for the naive kernels and in a different one for
// the GEMV kernels (~1e-6 apart); the f16 layers round the same f32 sums to
// f16, so an order change can move a result by one f16 ulp (2^-10
// relative, < 1e-3 absolute for |y| < 1, < 4e-3 for |y| < 4).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4x64 --random=1
// RUN: %python %S/Inputs/make_npy.py %t/w.npy --shape=64x16 --random=2
// RUN: %python %S/Inputs/make_npy.py %t/x16.npy --dtype=f2 --shape=4x64 --random=3
// RUN: lowbit-run %s --input=%t/x.npy --input=%t/w.npy --device=cuda --rtol=1e-5 --atol=1e-5 | FileCheck %s --check-prefix=F32
// F32: output 0: float32 array of shape (4, 16)
// F32: cuda: {{.*}}, sm_90a; results against the CPU's:
// F32-NEXT: output 0: max_abs={{.*}} [PASS]

// RUN: lowbit-opt %S/../../Conversion/LowbitToNVVM/Inputs/linear.mlir --lowbit-w4a16=group-size=32 -o %t/w4.mlir
// RUN: lowbit-run %t/w4.mlir --entry=linear --input=%t/x16.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// RUN: lowbit-opt %S/../../Conversion/LowbitToNVVM/Inputs/linear.mlir --lowbit-w8a16 -o %t/w8.mlir
// RUN: lowbit-run %t/w8.mlir --entry=linear --input=%t/x16.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// RUN: lowbit-opt %S/../../Conversion/LowbitToNVVM/Inputs/linear.mlir --lowbit-nf4=group-size=32 -o %t/nf4.mlir
// RUN: lowbit-run %t/nf4.mlir --entry=linear --input=%t/x16.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// RUN: lowbit-opt %S/../../Conversion/LowbitToNVVM/Inputs/linear.mlir --lowbit-fp8 -o %t/fp8.mlir
// RUN: lowbit-run %t/fp8.mlir --entry=linear --input=%t/x16.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// F16: cuda: {{.*}}; results against the CPU's:
// F16-NEXT: output 0: max_abs={{.*}} [PASS]

// M = 32 takes the tensor-core kernel (W4A16 g64, K = 256, N = 96); the
// dequantized weight is rounded to f16 for the MMA (about 2^-11 relative
// per term, ~2e-4 over K = 256), hence the looser absolute tolerance.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/mma --m=32 --k=256 --n=96 --seed=5
// RUN: lowbit-opt %t/mma/linear.mlir --lowbit-w4a16=group-size=64 -o %t/mma/w4.mlir
// RUN: lowbit-run %t/mma/w4.mlir --input=%t/mma/x.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16

// The integer lowbit.matmul on tensor cores (lowbit-gpu-quant-matmul) at
// M = 32: W8A8 per row, and with affine u8 activations (col_sums
// corrections) and affine u8 weights (row-sum mma). Exact i32 sums on both
// sides; the activation scales and codes come from the same generic
// kernels on both, and the f32 epilogue may be contracted into FMAs on the
// GPU: at most an f16 ulp, as above.
// RUN: lowbit-opt %t/mma/linear.mlir --lowbit-w8a8 -o %t/mma/w8a8.mlir
// RUN: lowbit-run %t/mma/w8a8.mlir --input=%t/mma/x.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// RUN: lowbit-opt %t/mma/linear.mlir --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=u8 granularity=group group-size=64 symmetric=false}),lowbit-quantize-activations{format=u8 symmetric=false})" -o %t/mma/u8.mlir
// RUN: lowbit-run %t/mma/u8.mlir --input=%t/mma/x.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// FP8 E4M3 codes (constants) on sm_90a's FP8 mma.sync: f32 sums in
// another order than the CPU's, ~1e-6 relative.
// RUN: %python %S/../../Integration/GPU/Inputs/make_matmul_case.py %t/fp8mm --m=32 --k=256 --n=64 --seed=3
// RUN: lowbit-run %t/fp8mm/linear.mlir --input=%t/fp8mm/x.npy --device=cuda --rtol=1e-3 --atol=1e-3 | FileCheck %s --check-prefix=F16

// The staged mma.sync kernel for lowbit.matmul (M, N, K multiples of 64,
// not all of 128): W8A8 at 64 x 512 x 256, exact i32 sums as above.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/st --m=64 --k=512 --n=256 --seed=8
// RUN: lowbit-opt %t/st/linear.mlir --lowbit-w8a8 -o %t/st/w8a8.mlir
// RUN: lowbit-run %t/st/w8a8.mlir --input=%t/st/x.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
//
// The TMA + wgmma kernel of lowbit-gpu-staged-matmul (M, N, K multiples of
// 128; the device's chip is sm_90a here): W8A8 per row at M = 128 (exact
// i32 sums, the epilogue as above) and FP8 codes at 256 x 640 x 384, whose
// tensor cores accumulate with fewer bits than f32 (about 2^-13 relative
// per partial sum): 1e-2.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/wg --m=128 --k=512 --n=256 --seed=6
// RUN: lowbit-opt %t/wg/linear.mlir --lowbit-w8a8 -o %t/wg/w8a8.mlir
// RUN: lowbit-run %t/wg/w8a8.mlir --input=%t/wg/x.npy --device=cuda --rtol=4e-3 --atol=4e-3 | FileCheck %s --check-prefix=F16
// RUN: %python %S/../../Integration/GPU/Inputs/make_matmul_case.py %t/wgfp8 --m=256 --k=640 --n=384 --seed=7
// RUN: lowbit-run %t/wgfp8/linear.mlir --input=%t/wgfp8/x.npy --device=cuda --rtol=1e-2 --atol=1e-2 | FileCheck %s --check-prefix=F16

func.func @main(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
