// LLVM-dialect modules lowbit-run must reject without calling anything.
module {
  // lowbit.signature has one argument and one result: two parameters.
  llvm.func @_mlir_ciface_mismatch(%out: !llvm.ptr)
      attributes {lowbit.signature = (tensor<4xf32>) -> tensor<f32>} {
    llvm.return
  }
  // A non-LLVM op cannot be translated.
  llvm.func @_mlir_ciface_leftover(%out: !llvm.ptr)
      attributes {lowbit.signature = () -> tensor<f32>} {
    %c = arith.constant 1.0 : f32
    llvm.return
  }
}
