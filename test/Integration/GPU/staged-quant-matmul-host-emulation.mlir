// The staged mma.sync kernel of lowbit-gpu-staged-matmul for integer and
// FP8 lowbit.matmuls (lib/Conversion/LowbitToGPU/StagedQuantMma.cpp) run
// on the CPU: lowbit-gpu-quant-matmul{staged=true} leaves
// lowbit.staged_matmul, and lowbit-gpu-staged-matmul{host-emulation=true}
// builds the kernel's phases as host loops over the blocks, on a host
// buffer standing for the dynamic shared memory: every thread's copies of
// k-tile 0 (16-byte chunks into rows padded to 80 bytes), then per k-tile
// the copies of k-tile t + 1 into the other stage and every thread's
// fragments of k-tile t, read by ldmatrix.x4 emulated from its PTX
// definition (register i of lane L: row L / 4, bytes 4 (L % 4)..+3 of the
// matrix whose rows lanes 8i..8i+7 point at) at the kernel's own lane
// addresses, scattered into
// per-warp tiles by the m16n8k32 fragment layouts and summed there in k
// order; at the end every lane's C registers gathered and the kernel's
// epilogue (zero-point corrections from col_sums, scales, bias, cast or
// requantize). lowbit-run compares with the generic CPU lowering.
//
// Tolerance 0: integer products are exact in i32 on both sides, FP8 codes
// are decoded to f32 and summed in k order (the emulated tiles carry their
// sums across k-tiles, the CPU's order), and the scales are applied in the
// same f32 operations: the results must be bit-identical. The hardware's
// ldmatrix and mma.sync (their definitions are what is emulated), the
// copies' completion and the barriers need a GPU.
//
// DEFINE: %{check} = env EMULATION="func.func(lowbit-gpu-quant-matmul{staged=true},lowbit-gpu-staged-matmul{host-emulation=true})" %S/Inputs/check-quant-matmul.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// 128 x 320 x 192: 2 x 3 blocks, five k-tiles (the last in stage 0);
// 64 x 128 x 64: one block, two k-tiles.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/k320 --m=128 --k=320 --n=192 --seed=41
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/k128 --m=64 --k=128 --n=64 --seed=42
// RUN: %{check} %t/k320 "lowbit-w8a8"
// RUN: %{check} %t/k128 "lowbit-w8a8"
// RUN: %{check} %t/k320 "lowbit-w8a8{granularity=tensor}"
// RUN: %{check} %t/k320 "lowbit-w8a8{symmetric=false}"
// Affine u8 activations: u8 x s8 products, corrected with col_sums.
// RUN: %{check} %t/k320 "func.func(lowbit-quantize-weights{format=i8 granularity=channel}),lowbit-quantize-activations{format=u8 symmetric=false}"
// RUN: %{check} %t/k128 "func.func(lowbit-quantize-weights{format=i8 granularity=tensor}),lowbit-quantize-activations{symmetric=false granularity=tensor}"
//
// FP8 (E4M3 x E4M3, E4M3 x E5M2) from constant codes, and requantize(...)
// to i8 per channel and to affine u8 per tensor.
// RUN: %python %S/Inputs/make_matmul_case.py %t/e4m3 --m=64 --k=192 --n=128 --seed=43
// RUN: %python %S/Inputs/make_matmul_case.py %t/mixed --m=128 --k=64 --n=64 --lhs=f8E4M3FN --rhs=f8E5M2 --seed=44
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-i8 --m=64 --k=256 --n=128 --lhs=i8 --rhs=i8 --result=i8 --seed=45
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-u8 --m=128 --k=128 --n=64 --lhs=i8 --rhs=i8 --result=u8 --seed=46
// RUN: %{check} %t/e4m3 "cse"
// RUN: %{check} %t/mixed "cse"
// RUN: %{check} %t/req-i8 "cse"
// RUN: %{check} %t/req-u8 "cse"
//
// CHECK-NOT: lowbit.matmul
// CHECK-NOT: lowbit.staged_matmul
// CHECK-NOT: gpu.launch
// CHECK-NOT: nvgpu.
// CHECK: scf.for
// PASS: output 0: max_abs=0 {{.*}} [PASS]
