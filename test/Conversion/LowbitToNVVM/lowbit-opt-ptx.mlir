// lowbit-opt itself serializes the kernels (the GPU-to-LLVM-IR translations
// are registered): the W4A16 layer lowers to PTX that ptxas accepts for both
// chips.
// REQUIRES: ptxas
// RUN: lowbit-opt %S/Inputs/linear.mlir --lowbit-w4a16="group-size=32" --lowbit-lower-to-nvvm -o %t.sm90.mlir
// RUN: FileCheck %s --check-prefix=SM90 < %t.sm90.mlir
// RUN: rm -rf %t.sm90 && %extract_ptx %t.sm90.mlir %t.sm90 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
// RUN: lowbit-opt %S/Inputs/linear.mlir --lowbit-w4a16="group-size=32" --lowbit-lower-to-nvvm="chip=sm_80" -o %t.sm80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.sm80.mlir
// RUN: rm -rf %t.sm80 && %extract_ptx %t.sm80.mlir %t.sm80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null

// SM90: gpu.launch_func
// SM90: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a"
// SM80: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<O = 3, chip = "sm_80"

// ptx-dir= writes each kernel module's PTX next to the IR, for inspection:
// the one GEMV kernel of lowbit-gpu-gemv (16-byte global loads, warp
// butterfly) and, with the GEMV strategy off, the three generic kernels
// (fill, dequantizing matmul, epilogue).
// RUN: rm -rf %t.dir && lowbit-opt %S/Inputs/linear.mlir --lowbit-w4a16="group-size=32" --lowbit-lower-to-nvvm="ptx-dir=%t.dir" -o /dev/null
// RUN: ls %t.dir | FileCheck %s --check-prefix=FILES
// RUN: FileCheck %s --check-prefix=PTX < %t.dir/linear_kernel.sm_90a.ptx
// RUN: %ptxas -arch=sm_90a %t.dir/linear_kernel.sm_90a.ptx -o /dev/null
// FILES: linear_kernel.sm_90a.ptx
// FILES-NOT: .ptx
// PTX: .version 8.4
// PTX: .target sm_90a
// PTX: .visible .entry linear_kernel(
// PTX: ld.global.v4.b32
// PTX: shfl.sync.bfly.b32
// RUN: rm -rf %t.generic && lowbit-opt %S/Inputs/linear.mlir --lowbit-w4a16="group-size=32" --lowbit-lower-to-nvvm="gemv-max-m=0 ptx-dir=%t.generic" -o /dev/null
// RUN: ls %t.generic | FileCheck %s --check-prefix=GENERIC
// GENERIC: linear_kernel.sm_90a.ptx
// GENERIC-NEXT: linear_kernel_0.sm_90a.ptx
// GENERIC-NEXT: linear_kernel_1.sm_90a.ptx

// Without PTX to write it says why.
// RUN: not lowbit-opt %S/Inputs/linear.mlir --lowbit-lower-to-nvvm="format=none ptx-dir=%t.none" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: error: lowbit-write-ptx: the module has no gpu.binary (format=none stops before serialization)
// RUN: not lowbit-opt %S/Inputs/linear.mlir --lowbit-lower-to-nvvm="format=bin ptx-dir=%t.bin" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BIN
// BIN: error: lowbit-write-ptx: @linear_kernel holds no PTX (lower with format=isa to write it)
