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
        as #lowbit.scheme<i4, group = 32, axis = 1>
        scales(dense_resource<fc1.scales> : tensor<64x4xf32>)
        : tensor<8x128xf32>, tensor<64x128xi4> -> tensor<8x64xf32>
    ```
    The weight is transposed to `[N, K]` at compile time so that groups run
    along the contiguous reduction dimension (per-channel scales of a
    batched `[B, N, K]` weight are one per (b, n): group-wise with a group
    of K); 4-bit codes are packed two per
    byte in the `dense_resource` blob (low nibble first). A non-zero
    accumulator (`outs`) is added back with `arith.addf`. Matmuls whose
    weight is not a constant (e.g. attention score products) are left alone.

    Mixed precision: `policy=FILE` (JSON rules) and `preset=llm` choose a
    scheme per matmul or keep it in float; a rule that matches no matmul is
    a warning. Embedding lookups are not matmuls and are never touched.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
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
           "dequantized weight) to this file">,
    Option<"doubleQuant", "double-quant", "bool", /*default=*/"false",
           "Store the group scales as int8 codes with one f32 scale per 256 "
           "of them and an offset (QLoRA double quantization); group-wise "
           "schemes with f32 scales only">,
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "Mixed-precision policy file (JSON rules by matmul name, regex or "
           "position choosing a scheme or excluding the matmul)">,
    Option<"preset", "preset", "std::string", /*default=*/"\"none\"",
           "Built-in policy: none, llm (the last matmul, the output head, "
           "stays float) or llm-int8-head (the head in int8 per channel); "
           "applies after the rules of `policy`">,
    Option<"method", "method", "std::string", /*default=*/"\"rtn\"",
           "rtn (round to nearest), gptq or awq (both need `stats` with "
           "Gram matrices; see docs/passes/gptq-awq.md)">,
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Statistics file of lowbit-run --calibrate (with the gram "
           "statistic) for method=gptq and method=awq">,
    Option<"dampPercent", "damp-percent", "double", /*default=*/"0.01",
           "GPTQ: damping added to diag(H), as a fraction of its mean">,
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "GPTQ: columns per lazy batch update">,
    Option<"actOrder", "act-order", "bool", /*default=*/"false",
           "GPTQ: quantize columns in order of decreasing diag(H) (implies "
           "static groups)">,
    Option<"staticGroups", "static-groups", "bool", /*default=*/"false",
           "GPTQ: group scales from the original weight">
  ];
}

//===----------------------------------------------------------------------===//
// Activation quantization
//===----------------------------------------------------------------------===//

def QuantizeActivationsPass : Pass<"lowbit-quantize-activations", "ModuleOp"> {
  let summary = "Quantize the activations of dequant_matmuls with integer "
                "or FP8 weights, giving lowbit.matmuls (W8A8, FP8)";
  let description = [{
    Rewrites every `lowbit.dequant_matmul` whose weight has an integer format
    (an FP8 format with an FP8 activation format) into a `lowbit.matmul`
    whose activation is quantized too; NF4 and FP4 weights stay weight-only:

    ```
    y = x · dequant(W)                       (W codes [N, K], scales s_w)
      -> q_x = quantize(x; s_x, z_x)         (dynamic: computed from x here,
                                              static: read from `stats`)
         y = lowbit.matmul(q_x, W) = s_x s_w · (Σ_k q_x w - z_x Σ_k w)
    ```

    The weight column sums `Σ_k w[n, k]` that the zero-point correction needs
    are computed at compile time (`col_sums`) when the activation is affine
    and the weight a constant. Dynamic scales are computed in the IR, per
    tensor or per token (one scale per row of x): symmetric
    `s = max|x| / qmax` (127 for i8, 448 for f8E4M3FN), affine
    `s = (max(x, 0) - min(x, 0)) / 255`, `z = round(qmin - min(x, 0) / s)`.
    Static scales come from the statistics file (`stats`), keyed by the
    matmul's identifier (its location name, e.g. the ONNX node name, or the
    name of its weight):
    `{"version": 1, "activations": {"mlp.up": {"min": -3.5, "max": 4.2}}}`;
    a matmul without an entry is an error naming it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::lowbit::LowbitDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"i8\"",
           "Activation storage format: i8, u8 (affine only), f8E4M3FN or "
           "f8E5M2 (symmetric only; with FP8 weights)">,
    Option<"mode", "mode", "std::string", /*default=*/"\"dynamic\"",
           "dynamic (scales computed at run time) or static (scales read "
           "from the statistics file given by `stats`)">,
    Option<"granularity", "granularity", "std::string", /*default=*/"\"token\"",
           "Activation scale granularity: tensor or token (one scale per "
           "row); static mode supports tensor only">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Symmetric i8 activations (false: affine, with zero-points)">,
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Statistics file (JSON) with per-activation ranges, for static "
           "mode">,
    Option<"calibrator", "calibrator", "std::string",
           /*default=*/"\"minmax\"",
           "How static mode turns statistics into a range: minmax, "
           "percentile, entropy (KL divergence) or mse; all but minmax need "
           "the histogram statistic">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile of the activation mass kept by calibrator=percentile">
  ];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FuseDequantMatmulPass : Pass<"lowbit-fuse-dequant-matmul"> {
  let summary = "Fuse a dequantized weight feeding a matmul into "
                "lowbit.dequant_matmul, and dequantized operand pairs into "
                "the integer lowbit.matmul";
  let description = [{
    Matches the semantics of dequantization rather than one op sequence:

    ```
    y = x · dequantize(q)          -> lowbit.dequant_matmul(x, q)
    y = dequantize(a) · dequantize(q)
                                   -> lowbit.matmul(a, q) (float epilogue)
    ```

    where `dequantize` is `lowbit.dequantize` (any granularity) or an
    elementwise `linalg.generic` computing `(ext(q) - z) * s` with constant
    `s`, `z` broadcast per tensor or per channel. Codes stored `[K, N]`
    are transposed to `[N, K]` (at compile time when they are constants).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::lowbit::LowbitDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Interop with the upstream quant dialect
//===----------------------------------------------------------------------===//

def ImportUpstreamQuantPass : Pass<"lowbit-import-quant"> {
  let summary = "Turn quant.qcast / quant.dcast on !quant.uniform types into "
                "lowbit.quantize / lowbit.dequantize";
  let description = [{
    Per-tensor, per-axis and sub-channel `!quant.uniform` types become
    `#lowbit.scheme`s with their scales and zero-points as attributes; the
    quantized values cross between the two type systems with `quant.scast`.
  }];
  let dependentDialects = [
    "::mlir::lowbit::LowbitDialect",
    "::mlir::quant::QuantDialect"
  ];
}

def ExportUpstreamQuantPass : Pass<"lowbit-export-quant"> {
  let summary = "Express lowbit quantize / dequantize / dequant_matmul with "
                "upstream !quant.uniform types where the format allows";
  let description = [{
    Integer schemes (i8, u8, i4, u4) with static scales become `quant.qcast`
    / `quant.dcast` on `!quant.uniform` types (per tensor, per axis or
    sub-channel), and `lowbit.dequant_matmul` becomes `quant.dcast` of its
    weight followed by `linalg.matmul`, so the IR continues in upstream
    quant/TOSA flows. NF4, FP4 and FP8 have no `!quant.uniform` form: they
    are reported as errors.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

def InsertObserversPass : Pass<"lowbit-insert-observers", "ModuleOp"> {
  let summary = "Instrument quantizable matmul activations with lowbit.observe";
  let description = [{
    Inserts a `lowbit.observe` on the activation input of every matmul that
    `lowbit-quantize-weights` would quantize and of every
    `lowbit.dequant_matmul`, so that `lowbit-run --calibrate` can gather the
    statistics static activation quantization needs:

    ```mlir
    %y = linalg.matmul ins(%x, %w : ...) outs(%acc : ...) loc("fc1")
    ```
    becomes
    ```mlir
    %o = lowbit.observe %x id "fc1" stats [min_max, histogram]
        {bins = 2048 : i64} : tensor<8x64xf32>
    %y = linalg.matmul ins(%o, %w : ...) outs(%acc : ...) loc("fc1")
    ```

    The id is the one `lowbit-quantize-activations mode=static` looks up
    for the matmul once its weight is quantized: the location name, else
    the name of a `dense_resource` weight, else the op's position (a
    warning then says the id may not survive quantization). Ids that
    collide are made unique with a `#<n>` suffix, with a warning.
  }];
  let dependentDialects = ["::mlir::lowbit::LowbitDialect"];
  let options = [
    Option<"stats", "stats", "std::string", /*default=*/"\"min_max,histogram\"",
           "Comma-separated statistics to gather: min_max, "
           "moving_average_min_max, histogram, channel_abs_max, gram">,
    Option<"bins", "bins", "int64_t", /*default=*/"2048",
           "Histogram bins (with the histogram statistic)">,
    Option<"outputs", "outputs", "bool", /*default=*/"false",
           "Also observe each matmul's result, with id `<op id>.output`">
  ];
}

//===----------------------------------------------------------------------===//
// SmoothQuant
//===----------------------------------------------------------------------===//

def SmoothQuantPass : Pass<"lowbit-smooth-quant", "ModuleOp"> {
  let summary = "Migrate activation outliers into the weights (SmoothQuant)";
  let description = [{
    For every matmul `Y = X W` with a constant float weight whose id (the
    key of `lowbit-insert-observers`) has `channel_abs_max` in the
    statistics file `stats`, computes per input channel j

        s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)

    (s_j = 1 when either maximum is zero), multiplies the weight's K rows by
    s and divides X by s, so that `Y = (X diag(1/s)) (diag(s) W)` is
    unchanged in exact arithmetic. 1/s is folded into the producer of X when
    it is an elementwise `linalg.generic` ending in a multiply by a
    per-channel constant (a LayerNorm / RMSNorm gamma), or a matmul with a
    constant weight whose result only this matmul reads (its weight columns
    and bias); otherwise an explicit per-channel multiply is inserted,
    shared by matmuls that read the same activation with the same s.

    Run it on the float model before weight quantization, with statistics
    gathered from the unsmoothed model (see docs/passes/smooth-quant.md).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Statistics file from lowbit-run --calibrate with channel_abs_max">,
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Migration strength in [0, 1]: 0 leaves X alone (s = 1/max|W|), "
           "1 moves all of max|X| into W">,
    Option<"requireAll", "require-all", "bool", /*default=*/"false",
           "Fail when a matmul with a constant weight has no channel_abs_max "
           "(default: skip it with one remark)">,
    Option<"smoothedStats", "smoothed-stats", "std::string",
           /*default=*/"\"\"",
           "Also write the statistics of the smoothed inputs to this file: "
           "channel_abs_max / s and min/max = -/+ its maximum (what static "
           "per-tensor activation quantization of the smoothed model needs)">
  ];
}

//===----------------------------------------------------------------------===//
// Per-layer error measurement
//===----------------------------------------------------------------------===//

def ExposeLayersPass : Pass<"lowbit-expose-layers", "ModuleOp"> {
  let summary = "Make each quantizable matmul's input and output visible at "
                "the entry function's boundary (for per-layer error reports)";
  let description = [{
    Prepares a float model for `lowbit-report`, which measures each layer's
    quantization error. Every matmul with a constant float weight (what
    `lowbit-quantize-weights` quantizes) in the entry function is exposed:

    - `mode=tap`: its activation input and its result become extra results
      of the entry function (an input read by several matmuls is returned
      once). Running the float and the quantized tapped model side by side
      gives every layer's error *end to end*: the quantized layer sees the
      inputs the quantized model before it produced.
    - `mode=isolate`: its activation input is replaced by a new argument of
      the entry function, and its result becomes an extra result. Feeding
      each new argument the float model's own input of that layer (from a
      tapped float run) gives every layer's error *in isolation*, all layers
      in one run.

    ```mlir
    func.func @main(%x: tensor<4x64xf32>) -> tensor<4x32xf32> {
      %y = linalg.matmul ins(%x, %w : ...) outs(%acc : ...) loc("fc1")
      ...
    ```
    becomes, with `mode=isolate`,
    ```mlir
    func.func @main(%x: tensor<4x64xf32>, %fc1_in: tensor<4x64xf32>)
        -> (tensor<4x32xf32>, tensor<4x32xf32>)
        attributes {lowbit.layers = [{name = "fc1", input = 1 : i64,
                                      output = 1 : i64, ...} ],
                    lowbit.model_results = 1 : i64} {
      %y = linalg.matmul ins(%fc1_in, %w : ...) outs(%acc : ...) loc("fc1")
      ...
    ```

    `lowbit.layers` on the entry function lists the layers in program order
    with their name (the statistics key: location name, else weight
    resource name, else position), the index of their input (a result with
    `tap`, an argument with `isolate`) and of their output result, and the
    float weight's size in bytes; `lowbit.model_results` says how many of
    the results are the model's own. Original arguments and results keep
    their indices. Matmuls outside the entry function are left alone with a
    warning.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"tap\"",
           "tap: return each layer's input and output; isolate: also cut "
           "each layer's input into a new argument">,
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "The function whose matmuls are exposed">
  ];
}

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
