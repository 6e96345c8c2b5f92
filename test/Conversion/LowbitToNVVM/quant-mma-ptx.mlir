// The tensor-core kernels of lowbit-gpu-quant-matmul (integer and FP8
// lowbit.matmul) serialized to PTX for sm_90a and sm_80, and assembled by
// ptxas for the chip. Inputs/quant-mma-formats.mlir holds i8 x i8 per row
// with a bias, affine u8 activations with col_sums, affine u8 weights in
// groups of 64 (the row-sum mma), E4M3 x E4M3, E4M3 x E5M2, and a
// requantize(...) to affine u8.
// REQUIRES: ptxas
//
// sm_90a (PTX ISA 8.4): one kernel per function, s8 mma.sync for the
// integer ones, the FP8 mma.sync for the FP8 ones.
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/quant-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o /dev/null
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES90
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a $f -o /dev/null || exit 1; done
// RUN: FileCheck %s --check-prefixes=PTX90,INT < %t.sm90/w8a8_per_row_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX90,INT,U8A < %t.sm90/u8_affine_col_sums_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX90,INT,ROWSUMS < %t.sm90/u8_weights_grouped_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX90,E4M3 < %t.sm90/fp8_e4m3_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX90,MIXED < %t.sm90/fp8_mixed_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX90,INT,REQ < %t.sm90/requantize_u8_kernel.sm_90a.ptx
//
// sm_80 (PTX ISA 8.0): the same integer kernels; FP8 mma.sync needs sm_89,
// so the FP8 matmuls take the generic kernels (several per function, no
// mma.sync).
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/quant-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o /dev/null
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 $f -o /dev/null || exit 1; done
// RUN: FileCheck %s --check-prefixes=PTX80,INT < %t.sm80/w8a8_per_row_kernel.sm_80.ptx
// RUN: FileCheck %s --check-prefixes=PTX80,INT,ROWSUMS < %t.sm80/u8_weights_grouped_kernel.sm_80.ptx
// RUN: cat %t.sm80/fp8_*.ptx | FileCheck %s --check-prefix=FP8-80
//
// The W8A8 pipeline end to end (dynamic per-row activation scales computed
// and applied by generic kernels, the matmul on tensor cores), M = 32.
// RUN: rm -rf %t.case && mkdir -p %t.case && %python %S/../../../bench/gpu/make_gemv_case.py check %t.case --m=32 --k=256 --n=64 --seed=1
// RUN: rm -rf %t.w8a8 && lowbit-opt %t.case/linear.mlir --lowbit-w8a8 --lowbit-lower-to-nvvm="ptx-dir=%t.w8a8" -o /dev/null
// RUN: for f in %t.w8a8/*.ptx; do %ptxas -arch=sm_90a $f -o /dev/null || exit 1; done
// RUN: cat %t.w8a8/*.ptx | FileCheck %s --check-prefix=W8A8

// FILES90: fp8_e4m3_kernel.sm_90a.ptx
// FILES90-NEXT: fp8_mixed_kernel.sm_90a.ptx
// FILES90-NEXT: requantize_u8_kernel.sm_90a.ptx
// FILES90-NEXT: u8_affine_col_sums_kernel.sm_90a.ptx
// FILES90-NEXT: u8_weights_grouped_kernel.sm_90a.ptx
// FILES90-NEXT: w8a8_per_row_kernel.sm_90a.ptx
// FILES90-NOT: .ptx

// PTX90: .version 8.4
// PTX90: .target sm_90a
// PTX80: .version 8.0
// PTX80: .target sm_80
// At least the four products of one k32 step (LLVM may unroll the loop).
// Integer products wrap (no .satfinite), u8 and s8 codes as they are.
// INT-COUNT-4: mma.sync.aligned.m16n8k32.row.col.s32.{{[su]}}8.{{[su]}}8.s32
// u8 activations: u8 x s8 products.
// U8A: mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32
// The row-sum product against ones (0x01010101) is a fifth (s8 x u8).
// ROWSUMS: mma.sync.aligned.m16n8k32.row.col.s32.s8.u8.s32
// E4M3-COUNT-4: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// MIXED-COUNT-4: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32
// The requantize epilogue: round to nearest even, convert, byte store.
// REQ: cvt.rni
// REQ: st.global.b8
// FP8-80-NOT: mma.sync
// W8A8: .target sm_90a
// W8A8: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
