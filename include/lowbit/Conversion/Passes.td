//===- Passes.td - lowbit lowering passes ------------------------*- tablegen -*-===//
//
// Passes that lower lowbit ops towards the CPU (and later GPU) back ends.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerLowbitToLinalgPass : Pass<"lowbit-lower-to-linalg"> {
  let summary = "Lower lowbit ops to linalg.generic on tensors";
  let description = [{
    Expresses every lowbit op as `linalg.generic` on tensors, so the rest of
    the CPU pipeline (bufferization, loops, LLVM) handles them like any other
    op:

    - `lowbit.quantize` / `lowbit.dequantize`: elementwise generics with the
      scales (and zero-points) broadcast by indexing maps; group-wise scales
      through a `tensor.expand_shape` of the grouped dimension.
    - `lowbit.dequant_matmul`: one contraction whose body decodes the weight
      codes in registers and multiplies by the scale; 4-bit weights are read
      as their packed bytes (two codes per byte, the blob reinterpreted as
      i8), never expanded into a float weight in memory.
    - `lowbit.matmul`: an integer contraction (i32 accumulation, zero-points
      subtracted from the codes) per scale block, then an epilogue applying
      the scales, the bias and the optional requantization.
    - `lowbit.observe`: forwards its input (statistics are gathered by the
      calibration runtime, which lowers observers itself).

    NF4, FP4 and FP8 codes are decoded through a constant value table
    indexed by the code.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
