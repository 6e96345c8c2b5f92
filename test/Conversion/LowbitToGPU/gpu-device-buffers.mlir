// RUN: lowbit-opt %s --split-input-file --verify-diagnostics --pass-pipeline="builtin.module(func.func(lowbit-gpu-device-buffers))" | FileCheck %s

// An argument and a weight global are copied to fresh device buffers after
// their definition; the result is allocated on the device too, written by
// the kernel and copied back before the return reads it; every mirror is
// freed before the return. The argument is only read: no copy back.
// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:.*]]: memref<4x8xf32>
// CHECK: %[[DX:.*]] = gpu.alloc () : memref<4x8xf32>
// CHECK-NEXT: gpu.memcpy %[[DX]], %[[X]] : memref<4x8xf32>, memref<4x8xf32>
// CHECK: %[[W:.*]] = memref.get_global @weight : memref<8x2xf32>
// CHECK-NEXT: %[[DW:.*]] = gpu.alloc () : memref<8x2xf32>
// CHECK-NEXT: gpu.memcpy %[[DW]], %[[W]]
// CHECK: %[[Y:.*]] = memref.alloc() : memref<4x2xf32>
// CHECK-NEXT: %[[DY:.*]] = gpu.alloc () : memref<4x2xf32>
// CHECK-NEXT: gpu.launch
// CHECK: memref.load %[[DX]]
// CHECK: memref.load %[[DW]]
// CHECK: memref.store %{{.*}}, %[[DY]]
// CHECK: gpu.terminator
// CHECK-NEXT: }
// CHECK-NEXT: gpu.dealloc %[[DX]]
// CHECK-NEXT: gpu.dealloc %[[DW]]
// CHECK-NEXT: gpu.memcpy %[[Y]], %[[DY]]
// CHECK-NEXT: gpu.dealloc %[[DY]]
// CHECK-NEXT: return %[[Y]]
memref.global "private" constant @weight : memref<8x2xf32> = dense<1.0>
func.func @linear(%x: memref<4x8xf32>) -> memref<4x2xf32> {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %w = memref.get_global @weight : memref<8x2xf32>
  %y = memref.alloc() : memref<4x2xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %a = memref.load %x[%c0, %c0] : memref<4x8xf32>
    %b = memref.load %w[%c0, %c0] : memref<8x2xf32>
    %p = arith.mulf %a, %b : f32
    memref.store %p, %y[%c0, %c0] : memref<4x2xf32>
    gpu.terminator
  }
  return %y : memref<4x2xf32>
}

// -----

// Host code between kernels: it reads the buffer after the first kernel
// wrote it (copy back first), then writes it (copy in before the second
// kernel). Views are re-created on the mirror inside each launch; the
// buffer's dealloc frees the mirror.
// CHECK-LABEL: func.func @host_between(
// CHECK: %[[T:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: %[[DT:.*]] = gpu.alloc () : memref<16xf32>
// CHECK: %[[DV:.*]] = memref.expand_shape %[[DT]]
// CHECK-NEXT: gpu.launch
// CHECK: memref.store %{{.*}}, %[[DV]]
// CHECK: gpu.memcpy %[[T]], %[[DT]]
// CHECK-NEXT: memref.load %[[T]]
// CHECK-NEXT: memref.store %{{.*}}, %[[T]]
// CHECK-NEXT: gpu.memcpy %[[DT]], %[[T]]
// CHECK-NEXT: gpu.launch
// CHECK: memref.load %[[DT]]
// CHECK: gpu.dealloc %[[DT]]
// CHECK-NEXT: memref.dealloc %[[T]]
func.func @host_between(%out: memref<1xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  %t = memref.alloc() : memref<16xf32>
  %v = memref.expand_shape %t [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %v[%c0, %c0] : memref<4x4xf32>
    gpu.terminator
  }
  %r = memref.load %t[%c0] : memref<16xf32>
  memref.store %r, %t[%c1] : memref<16xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %s = memref.load %t[%c1] : memref<16xf32>
    memref.store %s, %out[%c0] : memref<1xf32>
    gpu.terminator
  }
  memref.dealloc %t : memref<16xf32>
  return
}

// -----

// An argument a kernel writes (an output buffer of the caller) is copied
// back before the return even though nothing in the function reads it.
// CHECK-LABEL: func.func @output_argument(
// CHECK-SAME: %[[O:.*]]: memref<4xf32>
// CHECK: %[[DO:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK: gpu.memcpy %[[O]], %[[DO]]
// CHECK-NEXT: gpu.dealloc %[[DO]]
// CHECK-NEXT: return
func.func @output_argument(%o: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %o[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// Dynamic sizes are taken from the host buffer.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[A:.*]]: memref<?xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[N:.*]] = memref.dim %[[A]], %[[C0]]
// CHECK-NEXT: %[[DA:.*]] = gpu.alloc (%[[N]]) : memref<?xf32>
func.func @dynamic(%a: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%c0] : memref<?xf32>
    memref.store %v, %a[%c1] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

// A kernel inside host control flow would need copies per iteration: not
// supported.
func.func @nested(%a: memref<4xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{lowbit-gpu-device-buffers: a gpu.launch nested in host control flow is not supported}}
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
      memref.store %one, %a[%c0] : memref<4xf32>
      gpu.terminator
    }
  }
  return
}

// -----

// A strided argument cannot be mirrored by one contiguous gpu.alloc.
func.func @strided(%a: memref<4xf32, strided<[2]>>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  // expected-error @+1 {{lowbit-gpu-device-buffers: cannot mirror 'memref<4xf32, strided<[2]>>' on the device (expected an identity layout in the default memory space)}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %a[%c0] : memref<4xf32, strided<[2]>>
    gpu.terminator
  }
  return
}

// -----

// lowbit.staged_matmul runs on the device (lowbit-gpu-staged-matmul builds
// its kernel and tensor maps later): its buffers are mirrored and it takes
// the mirrors; the result it writes is copied back for the return. Scalar
// parameters stay as they are.
// CHECK-LABEL: func.func @staged_matmul(
// CHECK-SAME: %[[A:[^:]*]]: memref<128x128xi8>, %[[W:[^:]*]]: memref<128x128xi8>, %[[S:[^:]*]]: f32)
// CHECK-DAG: gpu.memcpy %[[DA:.*]], %[[A]] : memref<128x128xi8>, memref<128x128xi8>
// CHECK-DAG: gpu.memcpy %[[DW:.*]], %[[W]] : memref<128x128xi8>, memref<128x128xi8>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<128x128xf32>
// CHECK-NEXT: %[[DY:.*]] = gpu.alloc () : memref<128x128xf32>
// CHECK-NOT: gpu.memcpy
// CHECK: lowbit.staged_matmul %[[DA]], %[[DW]] into %[[DY]] lhs(#lowbit.scheme<i8> scales(%[[S]] : f32)) rhs(#lowbit.scheme<i8> scales(%[[S]] : f32))
// CHECK: gpu.memcpy %[[Y]], %[[DY]]
// CHECK: return %[[Y]]
func.func @staged_matmul(%a: memref<128x128xi8>, %w: memref<128x128xi8>, %s: f32) -> memref<128x128xf32> {
  %y = memref.alloc() : memref<128x128xf32>
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
  return %y : memref<128x128xf32>
}
