// The GEMV kernel of lowbit-gpu-gemv, run on the CPU: with host-emulation
// the pass builds the same kernel computation (decoding, group/row/tensor
// scales, zero-points, the 32 lanes' strided chunks, epilogue) in host
// loops: every lane of every warp in turn leaves its partial sums in a
// scratch buffer, then each warp's lanes are added (what the shuffle
// butterfly computes on the GPU) and the epilogue runs. lowbit-run compiles
// it for the host. Its results must match the generic CPU lowering of the
// same quantized layer (an f16 linear layer with seeded N(0, 0.02^2)
// weights and N(0, 1) input; K = 256, N = 40: ten blocks of four rows, and
// K = 2048, N = 10: two chunks per lane and a partial last block) for
// every weight format, at M = 1, 2, 3 and 16. The shuffles themselves, and
// the device code, need a GPU (cuda-run.mlir).
//
// Tolerances: both sides accumulate in f32 and round to f16, in a
// different order (per 16-byte chunk, then over chunks), which can move a
// result by one f16 ulp: 2^-11 |y| relative, below 1e-3 for |y| < 2. One
// mis-decoded code or a wrong scale moves y by about 0.02 |x| or more.
//
// DEFINE: %{check} = %S/Inputs/check-gemv.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m1 --m=1 --k=256 --n=40 --seed=1
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m3 --m=3 --k=256 --n=40 --seed=2
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m16 --m=16 --k=256 --n=40 --seed=3
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/long --m=2 --k=2048 --n=10 --seed=4
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m32 --m=32 --k=256 --n=96 --seed=5
//
// RUN: %{check} %t/m1 "lowbit-w4a16{group-size=64}"
// RUN: %{check} %t/m3 "lowbit-w4a16{group-size=64}"
// RUN: %{check} %t/m16 "lowbit-w4a16{group-size=64}"
// RUN: %{check} %t/m3 "func.func(lowbit-quantize-weights{format=u4 granularity=group group-size=32 symmetric=false})"
// RUN: %{check} %t/m3 "lowbit-nf4{group-size=64}"
// RUN: %{check} %t/m1 "func.func(lowbit-quantize-weights{format=f4E2M1FN granularity=group group-size=32})"
// RUN: %{check} %t/m3 "lowbit-w8a16"
// RUN: %{check} %t/m16 "lowbit-w8a16"
// RUN: %{check} %t/m3 "func.func(lowbit-quantize-weights{format=u8 granularity=channel symmetric=false})"
// RUN: %{check} %t/m3 "lowbit-fp8"
// RUN: %{check} %t/m1 "func.func(lowbit-quantize-weights{format=f8E5M2 granularity=channel})"
// RUN: %{check} %t/m3 "func.func(lowbit-quantize-weights{format=i8 granularity=tensor})"
// RUN: %{check} %t/long "lowbit-w4a16"
// RUN: %{check} %t/long "lowbit-w8a16"
//
// M = 32: the tensor-core kernel (16 x 32 tiles per warp; N = 96 is three
// tiles, so one warp of the block has none). Its host emulation scatters
// each lane's A and B registers into tiles by the PTX fragment layout,
// multiplies the tiles and gathers the C registers back; it checks the
// fragment indexing, the dequantization into f16 registers and the
// epilogue. The dequantized weight (w * s) is rounded to f16 before the
// product, as tensor cores take f16 operands: about 2^-11 relative per
// term, 2e-4 over K = 256 here, within the tolerances above.
// RUN: %{check} %t/m32 "lowbit-w4a16{group-size=64}"
// RUN: %{check} %t/m32 "func.func(lowbit-quantize-weights{format=u4 granularity=group group-size=32 symmetric=false})"
// RUN: %{check} %t/m32 "lowbit-nf4{group-size=64}"
// RUN: %{check} %t/m32 "lowbit-w8a16"
// RUN: %{check} %t/m32 "lowbit-fp8"
//
// CHECK-NOT: lowbit.dequant_matmul
// CHECK-NOT: gpu.launch
// CHECK: scf.for
// PASS: output 0: max_abs={{.*}} [PASS]
