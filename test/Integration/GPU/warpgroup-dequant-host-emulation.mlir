// The sm_90a wgmma variant of the staged dequant_matmul kernel
// (lib/Conversion/LowbitToGPU/WarpgroupDequantMma.cpp) run on the CPU:
// lowbit-gpu-gemv leaves lowbit.staged_dequant_matmul, and
// lowbit-gpu-staged-mma with warpgroup-mma and host-emulation builds the
// kernel's phases as host loops over the blocks, on a host buffer standing
// for the dynamic shared memory (its first byte at shared address 48, the
// tiles from the next 1024-byte boundary, as the kernel computes them):
// every thread's copies of k-tile 0 (x chunks into their 128-byte swizzled
// places, weight bytes into padded rows), then per k-tile the copies of
// k-tile t + 1 into the other stage, every thread's decoding of its weight
// row into the swizzled B tile, and four wgmma m64n128k16 by their
// definition through the kernel's own matrix descriptors (Wgmma.h); at the
// end every thread's accumulators gathered by the wgmma D layout and the
// kernel's epilogue. Compared with the generic CPU lowering of the same
// quantized layer (check-gemv.sh): M = 64, K = 256, N = 128 (one block,
// four k-tiles) and M = 128, K = 512, N = 256 (2 x 2 blocks, eight
// k-tiles). Not checked here: the hardware's wgmma and its reading of the
// descriptors and swizzle (their PTX ISA definitions are what is
// emulated), the asynchronous copies' completion, the proxy fence and the
// barriers (the phases are sequential), which need a GPU.
//
// Tolerances as in staged-mma-host-emulation.mlir: the dequantized weight
// is rounded to f16 (bf16) before the product, and the sums are in another
// order: 1e-3 for f16, 1e-2 for bf16. A wrong swizzle, descriptor step or
// register mapping moves results by 0.1 or more.
//
// DEFINE: %{check} = env EMULATION="func.func(lowbit-gpu-gemv,lowbit-gpu-staged-mma{warpgroup-mma=true host-emulation=true})" %S/Inputs/check-gemv.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m64 --m=64 --k=256 --n=128 --seed=31
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m128 --m=128 --k=512 --n=256 --seed=32
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
// bf16 activations (bf16 behind an f32 interface, as in
// staged-mma-host-emulation.mlir).
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/bf64 --m=64 --k=256 --n=128 --seed=33 --dtype=bf16
// RUN: %{check} %t/bf64 "lowbit-w4a16{group-size=64}" 1e-2
// RUN: %{check} %t/bf64 "lowbit-w8a16" 1e-2
// RUN: %{check} %t/bf64 "lowbit-nf4{group-size=64}" 1e-2
//
// CHECK-NOT: lowbit.dequant_matmul
// CHECK-NOT: lowbit.staged_dequant_matmul
// CHECK-NOT: gpu.launch
// CHECK-NOT: nvgpu.
// CHECK: scf.for
// PASS: output 0: max_abs={{.*}} [PASS]
