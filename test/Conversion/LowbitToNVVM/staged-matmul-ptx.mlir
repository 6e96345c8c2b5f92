// The staged mma.sync kernel of lowbit-gpu-staged-matmul (integer and FP8
// lowbit.matmul with M, N, K multiples of 64) through the whole
// lowbit-lower-to-nvvm pipeline for sm_80 and sm_90a: the PTX of each
// function's kernel with dynamic shared memory, 16-byte cp.async copies in
// groups, ldmatrix.x4 fragments and mma.sync m16n8k32, assembled by ptxas
// for its chip without spills. FP8 needs sm_89: on sm_80 the FP8 matmul
// keeps the generic kernels. Inputs/staged-matmul-formats.mlir holds W8A8
// per row with a bias, affine u8 activations with a requantize to u8, and
// E4M3 x E4M3.
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/staged-matmul-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o /dev/null
// RUN: for f in %t.sm80/w8a8*.ptx %t.sm80/u8*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: FileCheck %s --check-prefix=INT < %t.sm80/w8a8_per_row_kernel.sm_80.ptx
// RUN: FileCheck %s --check-prefixes=INT,U8A,REQ < %t.sm80/u8_affine_requantize_kernel.sm_80.ptx
// RUN: cat %t.sm80/fp8_*.ptx | FileCheck %s --check-prefix=FP8-80
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 -v $f -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS || exit 1; done
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/staged-matmul-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o /dev/null
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: FileCheck %s --check-prefix=INT < %t.sm90/w8a8_per_row_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=E4M3 < %t.sm90/fp8_e4m3_kernel.sm_90a.ptx
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a -v $f -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS || exit 1; done

// PTX: .extern .shared .align 16 .b8 __dynamic_shmem__0[];
// PTX-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// PTX-DAG: cp.async.commit_group;
// PTX-DAG: cp.async.wait_group 1;
// PTX-DAG: cp.async.wait_group 0;
// PTX-DAG: bar.sync 0;
// PTX-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// INT-COUNT-8: mma.sync.aligned.m16n8k32.row.col.s32.{{[su]}}8.s8.s32
// E4M3-COUNT-8: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// U8A: mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32
// REQ: cvt.rni
// REQ: st.global.b8
// FP8-80-NOT: mma.sync
// FP8-80-NOT: ldmatrix
// PTXAS: 0 bytes spill stores, 0 bytes spill loads
