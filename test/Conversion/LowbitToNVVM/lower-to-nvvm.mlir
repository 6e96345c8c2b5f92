// lowbit-lower-to-nvvm: the host code and kernels of the naive strategy (one
// thread per output element, blocks of 1 x block-size threads), checked
// before serialization (format=none) so that no LLVM translation is needed.
// RUN: lowbit-opt %s --split-input-file --lowbit-lower-to-nvvm=format=none | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-lower-to-nvvm="chip=sm_80 block-size=32 format=none" | FileCheck %s --check-prefix=SM80
// RUN: not lowbit-opt %s --lowbit-lower-to-nvvm=chip=sm_75 2>&1 | FileCheck %s --check-prefix=CHIP

// A float matmul: a fill kernel and a matmul kernel, 4 x 1 blocks of 1 x 64
// threads covering the 4 x 16 output; the reduction over K is a loop in the
// kernel. Host code copies both arguments to device memory, allocates the
// result on the host and on the device, launches both kernels on one
// stream, copies the result back and frees the device buffers
// (lowbit-gpu-device-buffers, then gpu-async-region and gpu-to-llvm).
// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: llvm.func @matmul(
// CHECK-DAG: %[[C1:.*]] = llvm.mlir.constant(1 : index) : i64
// CHECK-DAG: %[[C4:.*]] = llvm.mlir.constant(4 : index) : i64
// CHECK-DAG: %[[C64:.*]] = llvm.mlir.constant(64 : index) : i64
// CHECK: %[[S0:.*]] = llvm.call @mgpuStreamCreate()
// CHECK: %[[DW:.*]] = llvm.call @mgpuMemAlloc(%{{.*}}, %[[S0]], %{{.*}})
// CHECK: llvm.call @mgpuMemcpy(%[[DW]], %arg8, %{{.*}}, %[[S0]])
// CHECK: %[[DX:.*]] = llvm.call @mgpuMemAlloc(%{{.*}}, %[[S0]], %{{.*}})
// CHECK: llvm.call @mgpuMemcpy(%[[DX]], %arg1, %{{.*}}, %[[S0]])
// CHECK: llvm.call @mgpuStreamSynchronize(%[[S0]])
// CHECK: %[[HY:.*]] = llvm.call @malloc
// CHECK: %[[S:.*]] = llvm.call @mgpuStreamCreate()
// CHECK: %[[DY:.*]] = llvm.call @mgpuMemAlloc(
// CHECK: gpu.launch_func <%[[S]] : !llvm.ptr> @matmul_kernel::@matmul_kernel blocks in (%[[C4]], %[[C1]], %[[C1]]) threads in (%[[C1]], %[[C64]], %[[C1]]) : i64 args(%[[DY]] : !llvm.ptr, %[[DY]] : !llvm.ptr,
// CHECK: gpu.launch_func <%[[S]] : !llvm.ptr> @matmul_kernel_0::@matmul_kernel blocks in (%[[C4]], %[[C1]], %[[C1]]) threads in (%[[C1]], %[[C64]], %[[C1]]) : i64 args(%[[DX]] : !llvm.ptr, {{.*}}, %[[DW]] : !llvm.ptr, {{.*}}, %[[DY]] : !llvm.ptr,
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %[[DY]], %{{.*}}, %[[S]])
// CHECK-NEXT: llvm.call @mgpuMemFree(%[[DY]], %[[S]])
// CHECK-DAG: llvm.call @mgpuMemFree(%[[DX]], %[[S]])
// CHECK-DAG: llvm.call @mgpuMemFree(%[[DW]], %[[S]])
// CHECK: llvm.call @mgpuStreamSynchronize(%[[S]])
// CHECK-NEXT: llvm.call @mgpuStreamDestroy(%[[S]])
// CHECK-NEXT: llvm.return
// CHECK: gpu.module @matmul_kernel [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx84">]
// CHECK: llvm.func @matmul_kernel({{.*}}) attributes {gpu.kernel, {{.*}}nvvm.kernel, nvvm.maxntid = array<i32: 1, 64, 1>}
// CHECK: gpu.module @matmul_kernel_0 [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx84">]
// CHECK: nvvm.read.ptx.sreg.ctaid.x
// CHECK: nvvm.read.ptx.sreg.tid.y
// CHECK: llvm.fmul
// CHECK: llvm.fadd
// CHECK: llvm.store
// CHECK-NOT: gpu.binary
// SM80-LABEL: llvm.func @matmul(
// SM80: gpu.launch_func
// SM80: gpu.module @matmul_kernel [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">]
// SM80: nvvm.maxntid = array<i32: 1, 32, 1>
// CHIP: for the --chip option: Cannot find option named 'sm_75'!
func.func @matmul(%x: tensor<4x64xf32>, %w: tensor<64x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>) outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// lowbit.dequant_matmul with an i4 weight argument and a bias: fill,
// dequantizing matmul (f32 accumulator) and the bias/truncation epilogue
// each become a kernel; 4-bit codes are sign-extended in the kernel. (A weight
// argument is one i4 per byte; packed bytes come from weight constants, see
// quantized-ptx.mlir.)
// CHECK-LABEL: llvm.func @dequant_matmul_i4(
// CHECK-COUNT-3: gpu.launch_func
// CHECK: gpu.module @dequant_matmul_i4_kernel_0
// CHECK: llvm.load %{{.*}} : !llvm.ptr -> i4
// CHECK: llvm.sext %{{.*}} : i4 to i32
// CHECK: llvm.sitofp %{{.*}} : i32 to f32
// CHECK: gpu.module @dequant_matmul_i4_kernel_1
// CHECK: llvm.fptrunc %{{.*}} : f32 to f16
func.func @dequant_matmul_i4(%x: tensor<4x64xf16>, %w: tensor<16x64xi4>, %b: tensor<16xf16>) -> tensor<4x16xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<16x2xf16>) bias(%b : tensor<16xf16>) : tensor<4x64xf16>, tensor<16x64xi4> -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}
