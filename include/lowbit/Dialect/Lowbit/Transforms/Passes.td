//===- Passes.td - lowbit quantization passes --------------------*- tablegen -*-===//
//
// The passes that turn float matmuls into lowbit's quantized ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QuantizeWeightsPass : Pass<"lowbit-quantize-weights"> {
  let summary = "Quantize constant matmul weights into lowbit.dequant_matmul";
  let description = [{
    Finds every matmul whose weight operand is a float constant -
    `linalg.matmul` (also with transposed indexing maps),
    `linalg.batch_matmul`, a contraction `linalg.generic`, and
    `tosa.matmul` - and replaces it with `lowbit.dequant_matmul` over the
    quantized weight, round-to-nearest (RTN) with the chosen scheme:

    ```mlir
    %w = arith.constant dense_resource<fc1> : tensor<128x64xf32>   // [K, N]
    %y = linalg.matmul ins(%x, %w : tensor<8x128xf32>, tensor<128x64xf32>)
                       outs(%zero : tensor<8x64xf32>) -> tensor<8x64xf32>
    ```
    becomes, with `format=i4 granularity=group group-size=32`,
    ```mlir
    %q = arith.constant dense_resource<fc1.q> : tensor<64x128xi4>   // [N, K]
    %y = lowbit.dequant_matmul %x, %q
        scales(dense_resource<fc1.scales> : tensor<64x4xf32>)
        as #lowbit.scheme<i4, group = 32, axis = 1>
        : tensor<8x128xf32>, tensor<64x128xi4> -> tensor<8x64xf32>
    ```
    The weight is transposed to `[N, K]` at compile time so that groups run
    along the contiguous reduction dimension; 4-bit codes are packed two per
    byte in the `dense_resource` blob (low nibble first). A non-zero
    accumulator (`outs`) is added back with `arith.addf`. Matmuls whose
    weight is not a constant (e.g. attention score products) are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::lowbit::LowbitDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"i8\"",
           "Storage format: i8, u8, i4, u4, nf4, f4E2M1FN, f8E4M3FN, f8E5M2">,
    Option<"granularity", "granularity", "std::string", /*default=*/"\"channel\"",
           "Scale granularity: tensor, channel (one scale per output "
           "channel) or group (groups of group-size along K)">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Group size along K for granularity=group">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Symmetric (no zero-point) or affine; affine needs an integer "
           "format">,
    Option<"scaleType", "scale-type", "std::string", /*default=*/"\"f32\"",
           "Element type of the scales: f32, f16 or bf16">,
    Option<"clipSearch", "clip-search", "bool", /*default=*/"false",
           "Per block, search the clipping ratio that minimises the squared "
           "error of the dequantized weight">,
    Option<"minElements", "min-elements", "int64_t", /*default=*/"0",
           "Leave weights with fewer elements than this in float">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write a JSON report of every quantized weight (bytes before and "
           "after, SQNR, cosine, max-abs and relative error of the "
           "dequantized weight) to this file">
  ];
}

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
