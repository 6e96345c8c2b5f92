// The staged tensor-core kernel of lowbit-lower-to-nvvm (lowbit-gpu-gemv
// leaves lowbit.staged_dequant_matmul, lowbit-gpu-staged-mma builds it
// after deallocation) for the weight formats in
// Inputs/staged-mma-formats.mlir, serialized to PTX for sm_90a and sm_80:
// one kernel per function, with 16-byte aligned shared tiles, cp.async
// copies committed as groups and waited for, ldmatrix.x4 A loads, barriers
// and mma.sync m16n8k16 (f16 or bf16 x the same + f32); ptxas assembles
// every one for its chip. On sm_90a with warpgroup-mma=false: the default
// gives the products whose N and K are multiples of 128 and 64 the wgmma
// variant (warpgroup-dequant-ptx.mlir).
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/staged-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a warpgroup-mma=false ptx-dir=%t.sm90" -o %t.sm90.mlir
// RUN: FileCheck %s --check-prefix=HOST < %t.sm90.mlir
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=SYNC < $f || exit 1; done
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a $f -o /dev/null || exit 1; done
//
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/staged-mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o /dev/null
// RUN: for f in %t.sm80/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm80/*.ptx; do FileCheck %s --check-prefix=SYNC < $f || exit 1; done
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 $f -o /dev/null || exit 1; done

// One launch per function.
// HOST-LABEL: llvm.func @staged_i4(
// HOST: gpu.launch_func
// HOST-NOT: gpu.launch_func
// HOST-LABEL: llvm.func @staged_u4_affine(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @staged_nf4(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @staged_i8_arg(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @staged_e4m3_arg(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @staged_bf16_i4(
// HOST: gpu.launch_func
// HOST-NOT: gpu.launch_func

// FILES: staged_bf16_i4_kernel
// FILES-NEXT: staged_e4m3_arg_kernel
// FILES-NEXT: staged_i4_kernel
// FILES-NEXT: staged_i8_arg_kernel
// FILES-NEXT: staged_nf4_kernel
// FILES-NEXT: staged_u4_affine_kernel

// PTX: .entry {{.*}}_kernel(
// PTX: .shared .align 16 .b8 {{.*}}[10240];
// PTX: .shared .align 16 .b8
// PTX-COUNT-8: mma.sync.aligned.m16n8k16.row.col.f32.{{b?}}f16.{{b?}}f16.f32

// In whatever block order LLVM chose: the copies, groups, waits (one group
// in flight, then none for the last k-tile), barriers and ldmatrix.
// SYNC-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// SYNC-DAG: cp.async.commit_group;
// SYNC-DAG: cp.async.wait_group 1;
// SYNC-DAG: cp.async.wait_group 0;
// SYNC-DAG: bar.sync 0;
// SYNC-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
