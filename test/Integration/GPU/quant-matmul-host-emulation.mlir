// The tensor-core kernel of lowbit-gpu-quant-matmul for integer
// lowbit.matmuls (W8A8), run on the CPU: with host-emulation the pass
// builds the kernel's computation in host loops. Every lane's A and B
// registers (codes as they are, u8 widened unsigned) are scattered into
// per-warp tiles by the PTX m16n8k32 fragment layouts, each warp's tiles
// are multiplied per weight-scale block in i32 (with the row sums that the
// kernel's mma.sync against ones computes), the C registers are gathered
// back by the C layout, and the kernel's own block updates (zero-point
// corrections from col_sums and row sums, sa * sw) and epilogue (bias,
// cast) run on them. lowbit-run compiles it for the host and compares it
// with the generic CPU lowering of the same quantized layer (an f16 linear
// layer with seeded N(0, 0.02^2) weights and N(0, 1) input, dynamic
// activation quantization before the matmul in both).
//
// Tolerance 0: both sides accumulate the code products exactly in i32 and
// apply the scales in the same f32 operations in the same order, so the
// results must be bit-identical. This checks the fragment indexing against
// the layout tables, the u8 shift, the corrections, the per-block scales
// and the epilogue; the mma.sync instructions themselves need a GPU.
//
// DEFINE: %{check} = %S/Inputs/check-quant-matmul.sh lowbit-opt lowbit-run FileCheck %s
//
// RUN: rm -rf %t && mkdir -p %t
// N = 96 is three 16 x 32 warp tiles: one warp of the 4-warp block has none.
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m32 --m=32 --k=256 --n=96 --seed=11
// RUN: %python %S/../../../bench/gpu/make_gemv_case.py check %t/m64 --m=64 --k=512 --n=160 --seed=12
//
// lowbit-w8a8: i8 activations per row (dynamic), i8 weights per channel.
// RUN: %{check} %t/m32 "lowbit-w8a8"
// RUN: %{check} %t/m64 "lowbit-w8a8"
// Per-tensor dynamic activation scale (a rank-0 tensor).
// RUN: %{check} %t/m32 "lowbit-w8a8{granularity=tensor}"
// Affine i8 activations: corrected with col_sums.
// RUN: %{check} %t/m32 "lowbit-w8a8{symmetric=false}"
// Affine u8 activations: u8 x s8 products, corrected with col_sums.
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=i8 granularity=channel}),lowbit-quantize-activations{format=u8 symmetric=false}"
// Affine u8 weights, symmetric i8 activations: zw' = zw - 128 times the
// row sums.
// RUN: %{check} %t/m32 "func.func(lowbit-quantize-weights{format=u8 granularity=channel symmetric=false}),lowbit-quantize-activations"
// Both affine and u8, weights in groups of 64 (four blocks per row at
// K = 256, eight at K = 512): every correction term, per block.
// RUN: %{check} %t/m32 "func.func(lowbit-quantize-weights{format=u8 granularity=group group-size=64 symmetric=false}),lowbit-quantize-activations{format=u8 symmetric=false}"
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=u8 granularity=group group-size=64 symmetric=false}),lowbit-quantize-activations{format=u8 symmetric=false}"
// Group-wise i8 weights (128), per-tensor i8 weights with affine
// per-tensor activations.
// RUN: %{check} %t/m64 "func.func(lowbit-quantize-weights{format=i8 granularity=group group-size=128}),lowbit-quantize-activations"
// RUN: %{check} %t/m32 "func.func(lowbit-quantize-weights{format=i8 granularity=tensor}),lowbit-quantize-activations{symmetric=false granularity=tensor}"
//
// FP8: constant E4M3 (and E5M2) codes, since FP8 activations are not
// quantized at run time by the CPU lowering yet; the codes are decoded to
// f32 in the tiles and summed in k order in f32, the order the CPU
// lowering uses, so these agree exactly too (the GPU's mma.sync may sum in
// another order: a few f32 ulps there).
// RUN: %python %S/Inputs/make_matmul_case.py %t/e4m3 --m=32 --k=128 --n=64 --seed=13
// RUN: %python %S/Inputs/make_matmul_case.py %t/mixed --m=16 --k=96 --n=96 --lhs=f8E4M3FN --rhs=f8E5M2 --seed=14
// RUN: %{check} %t/e4m3 "cse"
// RUN: %{check} %t/mixed "cse"
//
// The requantize(...) epilogue (constant i8 codes, bias): to i8 per output
// channel and to affine u8 per tensor, some results clamped; the same
// divide, roundeven, zero-point add and clamp as lowbit.quantize's lowering,
// so the codes agree exactly.
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-i8 --m=32 --k=128 --n=64 --lhs=i8 --rhs=i8 --result=i8 --seed=15
// RUN: %python %S/Inputs/make_matmul_case.py %t/req-u8 --m=16 --k=256 --n=32 --lhs=i8 --rhs=i8 --result=u8 --seed=16
// RUN: %{check} %t/req-i8 "cse"
// RUN: %{check} %t/req-u8 "cse"
//
// CHECK-NOT: lowbit.matmul
// CHECK-NOT: gpu.launch
// CHECK: scf.for
// PASS: output 0: max_abs=0 {{.*}} [PASS]
