// A module already lowered to the LLVM dialect runs as is. Its LLVM types
// no longer say what the tensors were (pointers are opaque), so the entry
// carries its tensor signature as lowbit.signature, which convert-func-to-llvm
// copies from the func.func like any other discardable attribute, and it
// needs the _mlir_ciface_ wrapper (llvm.emit_c_interface).
//
//   @main(x: ?x2, w: 2x3) = x @ w; x = [[1, 2]], w = [[1, 0, 1], [0, 1, 1]]
//   -> [[1, 2, 3]]

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=1x2 --values=1,2
// RUN: %python %S/Inputs/make_npy.py %t/w.npy --shape=2x3 --values=1,0,1,0,1,1
// RUN: lowbit-opt %s --lowbit-lower-to-cpu -o %t/lowered.mlir
// RUN: lowbit-run %t/lowered.mlir --input=%t/x.npy --input=%t/w.npy --output=%t/y.npy \
// RUN:   | FileCheck %s
// CHECK: output 0: float32 array of shape (1, 3)
// RUN: %python %S/Inputs/make_npy.py --show %t/y.npy | FileCheck %s --check-prefix=Y
// Y: [1, 2, 3]

// The signature still checks the inputs.
// RUN: not lowbit-run %t/lowered.mlir --input=%t/w.npy --input=%t/w.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SIG
// SIG: lowbit-run: error: input 0 ('{{.*}}w.npy'): expected tensor<?x2xf32>, got float32 array of shape (2, 3)

// Without the wrapper, or without the signature, the module is rejected.
// RUN: not lowbit-run %t/lowered.mlir --entry=no_wrapper 2>&1 | FileCheck %s --check-prefix=WRAPPER
// WRAPPER: lowbit-run: error: '{{.*}}lowered.mlir' is in the LLVM dialect but has no @_mlir_ciface_no_wrapper (give @no_wrapper the llvm.emit_c_interface attribute before lowering); functions: @main, @_mlir_ciface_main, @no_wrapper, @no_signature, @_mlir_ciface_no_signature
// RUN: not lowbit-run %t/lowered.mlir --entry=no_signature 2>&1 | FileCheck %s --check-prefix=NOSIG
// NOSIG: lowbit-run: error: @_mlir_ciface_no_signature in '{{.*}}lowered.mlir' has no lowbit.signature attribute

// A wrapper that does not fit the signature, and ops outside the LLVM
// dialect, are caught before the JIT sees them.
// RUN: not lowbit-run %S/Inputs/llvm-bad.mlir --entry=mismatch --input=%t/x.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PARAMS
// PARAMS: lowbit-run: error: @_mlir_ciface_mismatch takes 1 parameters but lowbit.signature (tensor<4xf32>) -> tensor<f32> implies 2
// RUN: not lowbit-run %S/Inputs/llvm-bad.mlir --entry=leftover 2>&1 | FileCheck %s --check-prefix=LEFTOVER
// LEFTOVER: lowbit-run: error: the module holds 'arith.constant' at loc("{{.*}}llvm-bad.mlir":11:10) in '{{.*}}llvm-bad.mlir'; it cannot be translated to LLVM IR

func.func @main(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>) -> tensor<?x3xf32>
    attributes {llvm.emit_c_interface,
                lowbit.signature = (tensor<?x2xf32>, tensor<2x3xf32>)
                                   -> tensor<?x3xf32>} {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty(%m) : tensor<?x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x3xf32>)
      -> tensor<?x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x2xf32>, tensor<2x3xf32>)
                     outs(%acc : tensor<?x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// lowbit-run makes the arguments of the modules it lowers read-only; these
// are lowered by lowbit-opt, so they say it themselves (an in-place result
// would come back as a bufferization.clone, which the pipeline leaves).
func.func @no_wrapper(%x: tensor<4xf32> {bufferization.writable = false})
    -> tensor<4xf32>
    attributes {lowbit.signature = (tensor<4xf32>) -> tensor<4xf32>} {
  %y = math.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @no_signature(%x: tensor<4xf32> {bufferization.writable = false})
    -> tensor<4xf32>
    attributes {llvm.emit_c_interface} {
  %y = math.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
