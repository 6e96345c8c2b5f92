// The sm_90a kernel of lowbit-gpu-staged-matmul (TMA + mbarriers + wgmma)
// for integer and FP8 lowbit.matmuls, run on the CPU: with host-emulation
// the pass builds the kernel's schedule in host loops. Per 128 x 128 block
// the k-tiles go through the kernel's four-stage ring in the kernel's order
// (copies of k-tile kt + 3 before the products of k-tile kt); the copies
// emulate TMA (the box at the kernel's coordinates, innermost first, into
// a host buffer standing for the dynamic shared memory, rounded up to 1024
// bytes from shared address 48 as the kernel does, 128-byte swizzled:
// 16-byte chunk bits 4..6 XOR row bits 7..9); the products emulate wgmma
// m64n128k32 from the kernel's own matrix descriptors (start address, stride
// byte offset and swizzle bits decoded as the PTX ISA defines them, the k32
// steps and the second warpgroup's rows as the kernel advances them); every
// thread's accumulator registers are gathered by the wgmma D layout and
// the kernel's epilogue (zero-point correction from col_sums, sa * sw,
// bias, cast or requantization) runs on them. lowbit-run compares with the
// generic CPU lowering of the same quantized layer.
//
// Tolerance 0 for the integer products: exact in i32 on both sides, the
// scales applied in the same f32 operations, so the results must be
// bit-identical. FP8: the kernel sums each k-tile of 128 products from
// zero and adds that to f32 registers (the FP8 tensor cores accumulate
// with fewer bits than f32), the emulation likewise (each k-tile's sum in
// k order), while the CPU sums all of K in one f32 chain: the two differ by
// f32 roundings only (1.9e-5 at most on results up to ~10 here, K = 640),
// so 1e-4 absolute and relative; a wrong code, scale or index moves results
// by far more. This checks the descriptors, the stage and k-step
// addressing, the TMA coordinates and the register layout against the
// epilogue; the instructions themselves (and the FP8 tensor cores' own
// accumulation, which keeps fewer bits than f32) need a GPU.
//
// DEFINE: %{check} = env EMULATION="func.func(lowbit-gpu-quant-matmul{warpgroup-mma=true},lowbit-gpu-staged-matmul{host-emulation=true})" %S/Inputs/check-quant-matmul.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// M = 256, N = 384: 2 x 3 blocks; K = 768: six k-tiles, the ring of four
// stages wraps (second barrier phase); K = 256: two k-tiles, fewer than
// the three copied ahead.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/k768 --m=256 --k=768 --n=384 --seed=21
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/k256 --m=128 --k=256 --n=128 --seed=22
//
// lowbit-w8a8: i8 activations per row (dynamic), i8 weights per channel.
// RUN: %{check} %t/k768 "lowbit-w8a8"
// RUN: %{check} %t/k256 "lowbit-w8a8"
// Per-tensor dynamic activation scale, per-tensor weights.
// RUN: %{check} %t/k768 "func.func(lowbit-quantize-weights{format=i8 granularity=tensor}),lowbit-quantize-activations{granularity=tensor}"
// Affine i8 activations: acc = S - za col_sums[n].
// RUN: %{check} %t/k768 "lowbit-w8a8{symmetric=false}"
// Affine u8 activations: u8 x s8 products as they are (no shift).
// RUN: %{check} %t/k256 "func.func(lowbit-quantize-weights{format=i8 granularity=channel}),lowbit-quantize-activations{format=u8 symmetric=false}"
//
// FP8: constant E4M3 x E4M3 and E4M3 x E5M2 codes (the CPU lowering does
// not quantize activations to FP8 at run time yet).
// RUN: %python %S/Inputs/make_matmul_case.py %t/e4m3 --m=128 --k=640 --n=256 --seed=23
// RUN: %python %S/Inputs/make_matmul_case.py %t/mixed --m=256 --k=128 --n=128 --lhs=f8E4M3FN --rhs=f8E5M2 --seed=24
// RUN: %{check} %t/e4m3 "cse" 1e-4
// RUN: %{check} %t/mixed "cse" 1e-4
//
// The requantize(...) epilogue: to i8 per output channel and to affine u8
// per tensor, some results clamped.
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-i8 --m=128 --k=512 --n=256 --lhs=i8 --rhs=i8 --result=i8 --seed=25
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-u8 --m=256 --k=384 --n=128 --lhs=i8 --rhs=i8 --result=u8 --seed=26
// RUN: %{check} %t/req-i8 "cse"
// RUN: %{check} %t/req-u8 "cse"
//
// CHECK-NOT: lowbit.matmul
// CHECK-NOT: lowbit.staged_matmul
// CHECK-NOT: gpu.launch
// CHECK-NOT: nvgpu.
// CHECK: scf.for
// PASS: output 0: max_abs={{.*}} [PASS]
