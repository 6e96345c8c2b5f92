// The sm_90a wgmma variant of the staged dequant_matmul kernel
// (lowbit-gpu-staged-mma{warpgroup-mma=true}, which lowbit-lower-to-nvvm
// sets for sm_90a) for the weight formats in
// Inputs/warpgroup-dequant-formats.mlir, serialized to PTX with one kernel per
// function with `.extern .shared` dynamic memory, 16-byte cp.async copies
// committed as groups and waited for, the generic-to-async proxy fence,
// barriers and four wgmma m64n128k16 (f16, or bf16 for bf16 activations);
// ptxas assembles every one for sm_90a without spills, and the host
// launches with the kernel's dynamic shared memory (46080 bytes for 4-bit
// weights, 54272 for 8-bit ones). With warpgroup-mma=false, sm_90a keeps
// the mma.sync staged kernel (staged-mma-ptx.mlir).
// REQUIRES: ptxas
//
// RUN: rm -rf %t.sm90 && lowbit-opt %S/Inputs/warpgroup-dequant-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a ptx-dir=%t.sm90" -o %t.host.mlir
// RUN: ls %t.sm90 | FileCheck %s --check-prefix=FILES
// RUN: for f in %t.sm90/*.ptx; do FileCheck %s --check-prefix=PTX < $f || exit 1; done
// RUN: for f in %t.sm90/*.ptx; do %ptxas -arch=sm_90a -v $f -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS || exit 1; done
// RUN: FileCheck %s --check-prefix=F16 < %t.sm90/wg_i4_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=BF16 < %t.sm90/wg_bf16_i4_kernel.sm_90a.ptx
// RUN: FileCheck %s --check-prefix=HOST < %t.host.mlir
// RUN: rm -rf %t.off && lowbit-opt %S/Inputs/warpgroup-dequant-formats.mlir --lowbit-lower-to-nvvm="chip=sm_90a warpgroup-mma=false ptx-dir=%t.off" -o /dev/null
// RUN: cat %t.off/*.ptx | FileCheck %s --check-prefix=OFF

// FILES: wg_bf16_i4_kernel.sm_90a.ptx
// FILES-NEXT: wg_e4m3_arg_kernel.sm_90a.ptx
// FILES-NEXT: wg_i4_kernel.sm_90a.ptx
// FILES-NEXT: wg_i8_arg_kernel.sm_90a.ptx
// FILES-NEXT: wg_nf4_kernel.sm_90a.ptx
// FILES-NEXT: wg_u4_affine_kernel.sm_90a.ptx

// PTX: .target sm_90a
// PTX: .extern .shared .align 16 .b8 __dynamic_shmem__0[];
// PTX-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// PTX-DAG: cp.async.commit_group;
// PTX-DAG: cp.async.wait_group 1;
// PTX-DAG: cp.async.wait_group 0;
// PTX-DAG: fence.proxy.async.shared::cta;
// PTX-DAG: bar.sync 0;
// PTX-DAG: wgmma.fence.sync.aligned;
// PTX-DAG: wgmma.commit_group.sync.aligned;
// PTX-DAG: wgmma.wait_group.sync.aligned 0;
// F16-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// BF16-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16

// PTXAS: 0 bytes spill stores, 0 bytes spill loads

// HOST-LABEL: llvm.func @wg_i4(
// HOST: %[[SMEM:.*]] = llvm.mlir.constant(46080 : i32) : i32
// HOST: gpu.launch_func {{.*}} @wg_i4_kernel::@wg_i4_kernel {{.*}} dynamic_shared_memory_size %[[SMEM]]
// HOST-LABEL: llvm.func @wg_i8_arg(
// HOST: %[[SMEM8:.*]] = llvm.mlir.constant(54272 : i32) : i32
// HOST: gpu.launch_func {{.*}} @wg_i8_arg_kernel::@wg_i8_arg_kernel {{.*}} dynamic_shared_memory_size %[[SMEM8]]

// OFF-NOT: wgmma
// OFF: ldmatrix.sync.aligned.m8n8.x4.shared.b16
