// The sm_90a kernel of lowbit-gpu-staged-matmul (TMA copies, mbarriers,
// wgmma from shared memory) through the whole lowbit-lower-to-nvvm
// pipeline: the PTX of each function's kernel, assembled by ptxas for
// sm_90a without spills, and the host code that encodes the tensor maps
// and launches with 97 KiB of dynamic shared memory. On sm_80 the same
// matmuls take the mma.sync kernels of lowbit-gpu-quant-matmul (integer)
// or the generic ones (FP8). Inputs/warpgroup-mma-formats.mlir holds i8 x
// i8 per row with a bias, affine u8 activations with col_sums and a
// requantize(...) to affine u8, E4M3 x E4M3 (1024 x 1024 x 1024) and
// E4M3 x E5M2.
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/warpgroup-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o %t.host.mlir
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a -v $f -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS || exit 1; done
// RUN: FileCheck %s --check-prefixes=PTX,INT < %t.sm90/w8a8_per_row_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX,U8,REQ < %t.sm90/u8_affine_requantize_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX,E4M3 < %t.sm90/fp8_e4m3_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefixes=PTX,MIXED < %t.sm90/fp8_mixed_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=HOST < %t.host.mlir
//
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/warpgroup-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o /dev/null
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 $f -o /dev/null || exit 1; done
// RUN: cat %t.sm80/*.ptx | FileCheck %s --check-prefix=SM80

// FILES: fp8_e4m3_kernel.sm_90a.ptx
// FILES-NEXT: fp8_mixed_kernel.sm_90a.ptx
// FILES-NEXT: u8_affine_requantize_kernel.sm_90a.ptx
// FILES-NEXT: w8a8_per_row_kernel.sm_90a.ptx
// FILES-NOT: .ptx

// PTXAS: 0 bytes spill stores, 0 bytes spill loads

// PTX: .target sm_90a
// The dynamic shared memory and the four stage barriers.
// PTX-DAG: .extern .shared .align 16 .b8 __dynamic_shmem__0[];
// PTX-DAG: .shared .align 8 .b8 [[MBAR:__mbarrier[_0-9]*]][24];
// PTX: fence.mbarrier_init.release.cluster;
// PTX: bar.sync 0;
// Thread 0's first copies: expect 32 KiB on the stage's barrier, then the
// A and W boxes at (k, row).
// PTX: mbarrier.arrive.expect_tx.shared.b64 {{.*}}, {{\[}}[[MBAR]]{{\]}}, {{.*}};
// PTX: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [{{.*}}], [{{.*}}, {{{.*}}, {{.*}}}], {{\[}}[[MBAR]]{{\]}};
// PTX: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [{{.*}}], [{{.*}}, {{{.*}}, {{.*}}}], {{\[}}[[MBAR]]{{\]}};
// PTX: mbarrier.try_wait.parity.shared.b64
// PTX: wgmma.fence.sync.aligned;
// INT-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.s32.s8.s8
// U8-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.s32.u8.s8
// E4M3-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3
// MIXED-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e5m2
// PTX: wgmma.commit_group.sync.aligned;
// PTX: wgmma.wait_group.sync.aligned 0;
// PTX: bar.sync 0;
// REQ: cvt.rni
// REQ: st.global.b8

// Host: two tensor maps per matmul (data type UINT8 = 0, interleave none,
// 128-byte swizzle = 3, L2 promotion 256 bytes = 3, zero fill), then the
// launch with 3 x 32 KiB + 1 KiB of dynamic shared memory.
// HOST-LABEL: llvm.func @fp8_e4m3(
// HOST-DAG: %[[ZERO:.*]] = llvm.mlir.constant(0 : i32) : i64
// HOST-DAG: %[[THREE:.*]] = llvm.mlir.constant(3 : i32) : i64
// HOST-DAG: %[[SMEM:.*]] = llvm.mlir.constant(99328 : i32) : i32
// HOST: llvm.call @mgpuTensorMapEncodeTiledMemref(%{{.*}}, %{{.*}}, %[[ZERO]], %[[ZERO]], %[[THREE]], %[[THREE]], %[[ZERO]], %{{.*}})
// HOST: llvm.call @mgpuTensorMapEncodeTiledMemref(%{{.*}}, %{{.*}}, %[[ZERO]], %[[ZERO]], %[[THREE]], %[[THREE]], %[[ZERO]], %{{.*}})
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @fp8_e4m3_kernel::@fp8_e4m3_kernel blocks in (%{{.*}}) threads in (%{{.*}}) : i64 dynamic_shared_memory_size %[[SMEM]] args(%{{.*}} : !llvm.ptr, %{{.*}} : !llvm.ptr,

// SM80: .target sm_80
// SM80-NOT: wgmma
// SM80-NOT: cp.async.bulk.tensor
// SM80: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
