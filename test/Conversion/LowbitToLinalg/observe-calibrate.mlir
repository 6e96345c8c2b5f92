// lowbit-lower-to-linalg: observers are the identity by default; with
// calibrate=true they pass their input (f16 extended to f32) to the
// calibration runtime and the module lists them by index.
// RUN: lowbit-opt %s --lowbit-lower-to-linalg | FileCheck %s --check-prefix=IDENTITY
// RUN: lowbit-opt %s --lowbit-lower-to-linalg=calibrate=true | FileCheck %s
// The whole CPU pipeline lowers the calls (unranked memref arguments).
// RUN: lowbit-opt %s --lowbit-lower-to-cpu=calibrate=true | FileCheck %s --check-prefix=LLVM

// IDENTITY-NOT: lowbit_observe_f32
// IDENTITY: return %arg0, %arg1

// CHECK: module attributes {lowbit.observers = [{bins = 2048 : i64, channel_axis = 1 : i64, id = "a", stats = ["min_max"]}, {bins = 16 : i64, channel_axis = 0 : i64, id = "b", stats = ["histogram", "gram"]}]}
// CHECK: func.func private @lowbit_observe_f32(i64, memref<*xf32>)
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[A:[^:]*]]: tensor<2x3xf32>, %[[B:[^:]*]]: tensor<4x5xf16>
// CHECK: %[[MA:.*]] = bufferization.to_buffer %[[A]] read_only : tensor<2x3xf32> to memref<2x3xf32, strided<[?, ?], offset: ?>>
// CHECK: %[[UA:.*]] = memref.cast %[[MA]] : memref<2x3xf32, strided<[?, ?], offset: ?>> to memref<*xf32>
// CHECK: %[[I0:.*]] = arith.constant 0 : i64
// CHECK: call @lowbit_observe_f32(%[[I0]], %[[UA]]) : (i64, memref<*xf32>) -> ()
// CHECK: %[[EXT:.*]] = arith.extf %[[B]] : tensor<4x5xf16> to tensor<4x5xf32>
// CHECK: %[[MB:.*]] = bufferization.to_buffer %[[EXT]] read_only
// CHECK: %[[UB:.*]] = memref.cast %[[MB]]
// CHECK: %[[I1:.*]] = arith.constant 1 : i64
// CHECK: call @lowbit_observe_f32(%[[I1]], %[[UB]])
// The second observer of "a" shares index 0.
// CHECK: %[[I2:.*]] = arith.constant 0 : i64
// CHECK: call @lowbit_observe_f32(%[[I2]],
// CHECK: return %[[A]], %[[B]]

// LLVM: llvm.func @lowbit_observe_f32(i64, i64, !llvm.ptr)
// LLVM-COUNT-3: llvm.call @lowbit_observe_f32(%{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, !llvm.ptr) -> ()

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf16>) -> (tensor<2x3xf32>, tensor<4x5xf16>) {
  %0 = lowbit.observe %a id "a" stats [min_max] : tensor<2x3xf32>
  %1 = lowbit.observe %b id "b" stats [histogram, gram] {bins = 16 : i64, channel_axis = 0 : i64} : tensor<4x5xf16>
  %2 = lowbit.observe %a id "a" stats [min_max] : tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x5xf16>
}
