// One-shot bufferization turns lowbit.prefetch into memref.prefetch (read,
// locality 3, data cache) on the tensor's buffer; it reads and writes no
// values, so the constant is not copied.
// RUN: lowbit-opt %s --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s

// CHECK-LABEL: func.func @prefetch_constant(
// CHECK-SAME: %[[I:.*]]: index
// CHECK: %[[BUF:.*]] = memref.get_global @{{.*}} : memref<8xi32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: memref.prefetch %[[BUF]][%[[I]]], read, locality<3>, data : memref<8xi32>
// CHECK-NOT: lowbit.prefetch
func.func @prefetch_constant(%i: index) -> i32 {
  %c = arith.constant dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi32>
  lowbit.prefetch %c[%i] : tensor<8xi32>
  %v = tensor.extract %c[%i] : tensor<8xi32>
  return %v : i32
}
