// The GEMV kernels of lowbit-lower-to-nvvm (lowbit-gpu-gemv) for every
// weight format and shape class in Inputs/gemv-formats.mlir, serialized to
// PTX for sm_90a and sm_80: one kernel per function, each with 16-byte
// global loads and a warp butterfly, and ptxas assembles every one for its
// chip.
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/gemv-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o %t.sm90.mlir
// RUN: FileCheck %s --check-prefix=HOST < %t.sm90.mlir
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES90
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a $f -o /dev/null || exit 1; done
//
// RUN: rm -rf %t.sm80 && lowbit-opt %S/Inputs/gemv-formats.mlir --lowbit-lower-to-nvvm="chip=sm_80 ptx-dir=%t.sm80" -o %t.sm80.mlir
// RUN: ls %t.sm80 | FileCheck %s --check-prefix=FILES80
// RUN: for f in %t.sm80/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm80/*.ptx; do %ptxas -arch=sm_80 $f -o /dev/null || exit 1; done

// Each function launches exactly one kernel, with 128 threads per block.
// HOST-LABEL: llvm.func @i4_group_m1(
// HOST-COUNT-1: gpu.launch_func
// HOST-NOT: gpu.launch_func
// HOST-LABEL: llvm.func @u4_affine(
// HOST-COUNT-1: gpu.launch_func
// HOST-LABEL: llvm.func @nf4(
// HOST-COUNT-1: gpu.launch_func
// HOST-LABEL: llvm.func @i8_channel_arg(
// HOST-COUNT-1: gpu.launch_func
// HOST-LABEL: llvm.func @e4m3_tensor_arg(
// HOST-COUNT-1: gpu.launch_func
// HOST-LABEL: llvm.func @e5m2(
// HOST-COUNT-1: gpu.launch_func
// HOST-NOT: gpu.launch_func

// FILES90: e4m3_tensor_arg_kernel.sm_90a.ptx
// FILES90-NEXT: e5m2_kernel.sm_90a.ptx
// FILES90-NEXT: i4_group_m1_kernel.sm_90a.ptx
// FILES90-NEXT: i8_channel_arg_kernel.sm_90a.ptx
// FILES90-NEXT: nf4_kernel.sm_90a.ptx
// FILES90-NEXT: u4_affine_kernel.sm_90a.ptx
// FILES80: e4m3_tensor_arg_kernel.sm_80.ptx
// FILES80-NEXT: e5m2_kernel.sm_80.ptx
// FILES80-NEXT: i4_group_m1_kernel.sm_80.ptx
// FILES80-NEXT: i8_channel_arg_kernel.sm_80.ptx
// FILES80-NEXT: nf4_kernel.sm_80.ptx
// FILES80-NEXT: u4_affine_kernel.sm_80.ptx

// Every kernel loads its weight 16 bytes at a time and reduces across the
// warp with shfl.sync.bfly (offsets 16, 8, 4, 2, 1).
// PTX: .entry {{.*}}_kernel(
// PTX: ld.global.v4.b32
// PTX: shfl.sync.bfly.b32 {{.*}}, 16, 31, -1;
// PTX: shfl.sync.bfly.b32 {{.*}}, 1, 31, -1;
