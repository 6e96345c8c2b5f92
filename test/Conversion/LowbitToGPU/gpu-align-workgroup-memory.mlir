// RUN: lowbit-opt %s --lowbit-gpu-align-workgroup-memory | FileCheck %s
// RUN: lowbit-opt %s --lowbit-gpu-align-workgroup-memory="alignment=128" | FileCheck %s --check-prefix=A128

// Every workgroup attribution without an alignment gets one (16 bytes by
// default, what cp.async of 16 bytes and ldmatrix need); one already
// aligned keeps its own. Private attributions are not touched.
// CHECK-LABEL: gpu.func @kernel(
// CHECK-SAME: workgroup(%{{.*}} : memref<2x64x40xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<2x64x16xi8, #gpu.address_space<workgroup>> {llvm.align = 32 : i64})
// CHECK-SAME: private(%{{.*}} : memref<4xf32, #gpu.address_space<private>>)
// A128: workgroup(%{{.*}} : memref<2x64x40xf16, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %{{.*}} : memref<2x64x16xi8, #gpu.address_space<workgroup>> {llvm.align = 32 : i64})
gpu.module @kernels {
  gpu.func @kernel(%arg0: memref<4xf32>)
      workgroup(%sx : memref<2x64x40xf16, #gpu.address_space<workgroup>>,
                %sw : memref<2x64x16xi8, #gpu.address_space<workgroup>> {llvm.align = 32 : i64})
      private(%p : memref<4xf32, #gpu.address_space<private>>) kernel {
    gpu.return
  }
}
