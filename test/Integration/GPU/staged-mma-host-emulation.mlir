// The staged tensor-core kernel (lib/Conversion/LowbitToGPU/StagedMma.cpp)
// run on the CPU: with host-emulation, lowbit-gpu-gemv builds the kernel's
// phases as host loops over the blocks of the grid: all 128 threads' copy
// phase of k-tile 0 into stage 0, then per k-tile the copy phase of k-tile
// t + 1 into the other stage (before k-tile t is computed, as the
// prefetch on the GPU), the compute phase of every thread (A registers
// from an emulated ldmatrix.x4: register i of lane L read at the row
// address that lane 8i + L / 4 computes, column 2 (L % 4); B registers
// decoded from the shared weight bytes), the registers scattered into
// per-warp tiles by the m16n8k16 fragment layouts and multiplied there,
// and finally each lane's C registers gathered back and the epilogue run.
// The shared tiles and their padding, the copy index maps, the k-loop
// schedule (which stage receives and which serves each k-tile), the
// ldmatrix row addresses, the decoding from shared memory, the tile
// parameters and the epilogue are the kernel's own code (a prefetch into
// the stage being computed, or ldmatrix rows taken mod 8, fail here). Results are compared with the generic CPU
// lowering of the same quantized layer (check-gemv.sh): M = 64, K = 256,
// N = 128 (two blocks, eight k-tiles) and M = 128, K = 512, N = 192 (a
// 3 x 2 grid, sixteen k-tiles). What it cannot check: the hardware's
// ldmatrix and mma.sync (their PTX ISA definitions are what is emulated),
// the asynchronous copies' completion, the wait counts and the barriers
// (the emulation's phases are sequential), which need a GPU.
//
// Tolerances (1e-3, as gemv-host-emulation.mlir): the dequantized weight is
// rounded to f16 before the product (tensor cores take f16 operands),
// about 2^-11 relative per term, and the sums are in another order; one
// wrong index moves results by 0.1 or more (a wrong ldmatrix row mapping
// fails on half of the outputs).
//
// DEFINE: %{check} = %S/Inputs/check-gemv.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m64 --m=64 --k=256 --n=128 --seed=11
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m128 --m=128 --k=512 --n=192 --seed=12
//
// RUN: %{check} %t/m64 "lowbit-w4a16{group-size=64}"
// RUN: %{check} %t/m128 "lowbit-w4a16"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=u4 granularity=group group-size=32 symmetric=false})"
// RUN: %{check} %t/m64 "lowbit-nf4{group-size=64}"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=f4E2M1FN granularity=group group-size=32})"
// RUN: %{check} %t/m64 "lowbit-w8a16"
// RUN: %{check} %t/m128 "lowbit-w8a16"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=u8 granularity=channel symmetric=false})"
// RUN: %{check} %t/m64 "lowbit-fp8"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=f8E5M2 granularity=channel})"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=i8 granularity=tensor})"
//
// bf16 activations (make_gemv_case.py --dtype=bf16: bf16 x and weights
// behind an f32 interface, since lowbit-run has no bf16 arrays; the
// kernel's tiles are bf16 and its mma.sync is NVVM's bf16 one). bf16 has
// an 8-bit significand: the output's rounding alone is one ulp, 2^-8 |y|
// relative (0.0078 for |y| in [2, 4)), and the dequantized weight's
// rounding to bf16 adds up to 2^-9 relative per term; tolerance 1e-2 (the
// results agree within one ulp, about 52 dB SQNR, cosine 0.999997). A
// wrong index moves results by 0.1 or more.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/bf64 --m=64 --k=256 --n=128 --seed=13 --dtype=bf16
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/bf128 --m=128 --k=512 --n=192 --seed=14 --dtype=bf16
// RUN: %{check} %t/bf64 "lowbit-w4a16{group-size=64}" 1e-2
// RUN: %{check} %t/bf128 "lowbit-w8a16" 1e-2
// RUN: %{check} %t/bf64 "lowbit-nf4{group-size=64}" 1e-2
// RUN: %{check} %t/bf64 "func.func(lowbit-quantize-weights{format=u4 granularity=group group-size=32 symmetric=false})" 1e-2
// RUN: %{check} %t/bf64 "lowbit-fp8" 1e-2
//
// CHECK-NOT: lowbit.dequant_matmul
// CHECK-NOT: lowbit.staged_dequant_matmul
// CHECK-NOT: gpu.launch
// CHECK: memref.alloc() : memref<2x64x40x{{b?}}f16>
// CHECK: scf.for
// PASS: output 0: max_abs={{.*}} [PASS]
