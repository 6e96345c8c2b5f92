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
