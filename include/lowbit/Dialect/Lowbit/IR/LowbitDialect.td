//===- LowbitDialect.td - the lowbit dialect ---------------------*- tablegen -*-===//
//
// The lowbit dialect: quantized values with explicit scales and zero-points,
// calibration observers, and the quantized matmuls that the CPU and GPU
// back ends lower.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD

include "mlir/IR/OpBase.td"

def Lowbit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::mlir::lowbit";
  let summary = "Quantized tensors, observers and quantized matmuls";
  let description = [{
    The `lowbit` dialect makes quantization explicit. A tensor of *codes* (the
    stored integers or low-precision floats) is tied to its real values by a
    `#lowbit.scheme` attribute and by scales and zero-points that are
    attributes of the op when they are known at compile time (weights, static
    activations) and SSA operands when only the run time knows them (dynamic
    activation scales).

    For the integer formats a code `q` stands for the real value
    `x = s * (q - z)`, and quantization computes
    `q = clamp(round_half_to_even(x / s) + z, qmin, qmax)`. For NF4, FP4 and
    FP8 the code is looked up in the format's value table and multiplied by the
    scale: `x = s * value(q)` (no zero-point).

    Weights are rank-2 `[N, K]` (output channels by reduction) or batched
    `[B, N, K]` tensors, so group-wise scales run along the contiguous K
    dimension.
  }];
  let useDefaultAttributePrinterParser = 1;
}

class Lowbit_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowbit_Dialect, mnemonic, traits>;

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
