// RUN: lowbit-opt %s --pass-pipeline="builtin.module(gpu.module(lowbit-gpu-extern-dynamic-shared-memory))" | FileCheck %s

// The zero-length shared global convert-gpu-to-nvvm makes of
// gpu.dynamic_shared_memory becomes an external declaration (PTX: .extern
// .shared ... []); other shared globals, and zero-length globals in other
// address spaces or with other linkage, stay as they are.
// CHECK-LABEL: gpu.module @kernels
// CHECK: llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.mlir.global private @__mbarrier() {addr_space = 3 : i32, alignment = 8 : i64} : !llvm.array<4 x i64>
// CHECK: llvm.mlir.global internal @global_zero() {addr_space = 1 : i32} : !llvm.array<0 x i8>
// CHECK: llvm.mlir.global private @private_zero() {addr_space = 3 : i32} : !llvm.array<0 x i8>
gpu.module @kernels {
  llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global private @__mbarrier() {addr_space = 3 : i32, alignment = 8 : i64} : !llvm.array<4 x i64>
  llvm.mlir.global internal @global_zero() {addr_space = 1 : i32} : !llvm.array<0 x i8>
  llvm.mlir.global private @private_zero() {addr_space = 3 : i32} : !llvm.array<0 x i8>
}
