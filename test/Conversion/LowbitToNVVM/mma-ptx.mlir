// The tensor-core kernels of lowbit-lower-to-nvvm (lowbit-gpu-gemv above
// max-m) for the weight formats in Inputs/mma-formats.mlir, serialized to
// PTX for sm_90a and sm_80: one kernel per function, four
// mma.sync.m16n8k16 (f16 x f16 + f32) per k16 step, and ptxas assembles
// every one for its chip.
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o %t.sm90.mlir
// RUN: FileCheck %s --check-prefix=HOST < %t.sm90.mlir
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a $f -o /dev/null || exit 1; done
//
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/mma-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o /dev/null
// RUN: for f in %t.sm80/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 $f -o /dev/null || exit 1; done

// One launch per function, a 1 x 2 grid of 128-thread blocks.
// HOST-LABEL: llvm.func @mma_i4(
// HOST: gpu.launch_func
// HOST-NOT: gpu.launch_func
// HOST-LABEL: llvm.func @mma_u4_affine(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @mma_nf4(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @mma_i8_arg(
// HOST: gpu.launch_func
// HOST-LABEL: llvm.func @mma_e4m3_arg(
// HOST: gpu.launch_func
// HOST-NOT: gpu.launch_func

// FILES: mma_e4m3_arg_kernel
// FILES-NEXT: mma_i4_kernel
// FILES-NEXT: mma_i8_arg_kernel
// FILES-NEXT: mma_nf4_kernel
// FILES-NEXT: mma_u4_affine_kernel

// At least the four products of one k16 step (LLVM may unroll the K loop).
// PTX: .entry {{.*}}_kernel(
// PTX-COUNT-4: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
