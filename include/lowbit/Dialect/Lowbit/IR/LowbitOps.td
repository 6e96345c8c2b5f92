//===- LowbitOps.td - lowbit operations --------------------------*- tablegen -*-===//
//
// quantize / dequantize, the calibration observer, the integer matmul and the
// fused dequantize-matmul.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD

include "lowbit/Dialect/Lowbit/IR/LowbitDialect.td"
include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Lowbit_RealTensor : RankedTensorOf<[F32, F16, BF16]>;
def Lowbit_CodeTensor : RankedTensorOf<[I8, I<4>, F4E2M1FN, F8E4M3FN, F8E5M2]>;
def Lowbit_ScaleTensor : RankedTensorOf<[F32, F16, BF16]>;
def Lowbit_ZeroPointTensor : RankedTensorOf<[I32]>;
def Lowbit_MatmulResultTensor : RankedTensorOf<[F32, F16, BF16, I8, I<4>]>;

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

def Lowbit_QuantizeOp : Lowbit_Op<"quantize",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "real values to quantized codes";
  let description = [{
    Maps real values to codes of `scheme`. For integer formats
    `q = clamp(round_half_to_even(x / s) + z, qmin, qmax)`; for NF4, FP4 and
    FP8 `q` is the code of the value nearest to `x / s` (ties to even,
    saturating to the largest finite value).

    Scales and zero-points known at compile time are attributes (a typed
    float/integer for per-tensor schemes, an elements attribute, normally
    `dense_resource`, otherwise); scales computed at run time are operands
    (`scales(%s : tensor<...>)`). Their shape follows the scheme's
    granularity (see `#lowbit.scheme`).

    ```mlir
    %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.05 : f32)
        : tensor<4x16xf32> -> tensor<4x16xi8>
    %q = lowbit.quantize %x as #lowbit.scheme<u8, axis = 0, affine>
        scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>)
        : tensor<4x16xf32> -> tensor<4x16xi8>
    ```
  }];
  let arguments = (ins
    Lowbit_RealTensor:$input,
    Optional<Lowbit_ScaleTensor>:$dynamic_scales,
    Optional<Lowbit_ZeroPointTensor>:$dynamic_zero_points,
    Lowbit_SchemeAttr:$scheme,
    OptionalAttr<AnyAttr>:$scales,
    OptionalAttr<AnyAttr>:$zero_points);
  let results = (outs Lowbit_CodeTensor:$result);
  let assemblyFormat = [{
    $input `as` qualified($scheme)
    custom<QuantParams>($scales, $dynamic_scales, type($dynamic_scales),
                        $zero_points, $dynamic_zero_points,
                        type($dynamic_zero_points))
    attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

def Lowbit_DequantizeOp : Lowbit_Op<"dequantize",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "quantized codes to real values";
  let description = [{
    The inverse map of `lowbit.quantize`: `x = s * (q - z)` for integer
    formats, `x = s * value(q)` for NF4, FP4 and FP8. Scales and zero-points
    follow the same rules as for `lowbit.quantize`.

    ```mlir
    %w = lowbit.dequantize %q
        as #lowbit.scheme<i4, group = 64, axis = 1, scale = f16>
        scales(dense_resource<w_scales> : tensor<64x2xf16>)
        : tensor<64x128xi4> -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_CodeTensor:$input,
    Optional<Lowbit_ScaleTensor>:$dynamic_scales,
    Optional<Lowbit_ZeroPointTensor>:$dynamic_zero_points,
    Lowbit_SchemeAttr:$scheme,
    OptionalAttr<AnyAttr>:$scales,
    OptionalAttr<AnyAttr>:$zero_points);
  let results = (outs Lowbit_RealTensor:$result);
  let assemblyFormat = [{
    $input `as` qualified($scheme)
    custom<QuantParams>($scales, $dynamic_scales, type($dynamic_scales),
                        $zero_points, $dynamic_zero_points,
                        type($dynamic_zero_points))
    attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

def Lowbit_ObserveOp : Lowbit_Op<"observe", [
    AllTypesMatch<["input", "result"]>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "identity that records calibration statistics";
  let description = [{
    Returns its input unchanged and, when the model runs in calibration mode,
    adds the value to the statistics named in `stats`, stored under `id`:

    - `min_max`: running minimum and maximum;
    - `moving_average_min_max`: exponential moving average of per-batch
      minimum and maximum;
    - `histogram`: a histogram of `bins` bins (default 2048) whose range grows
      as data arrives;
    - `channel_abs_max`: maximum of |x| per index of `channel_axis` (default
      the last dimension, the reduction dimension of a matmul input);
    - `gram`: the Gram matrix X^T X of the rows of the input flattened to
      `[rows, channel]` with the channel along `channel_axis`.

    The op writes to the statistics store, so it is not removed when its
    result is unused.

    ```mlir
    %y = lowbit.observe %x id "layer0.fc1.input" stats [min_max, histogram]
        : tensor<8x64xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_RealTensor:$input,
    StrAttr:$id,
    ArrayAttr:$stats,
    OptionalAttr<I64Attr>:$bins,
    OptionalAttr<I64Attr>:$channel_axis);
  let results = (outs Lowbit_RealTensor:$result);
  let assemblyFormat = [{
    $input `id` $id `stats` custom<StatisticList>($stats) attr-dict
    `:` type($input)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when `kind` is among the statistics this observer gathers.
    bool gathers(StatisticKind kind);
    /// The number of histogram bins, with the default applied.
    int64_t getNumBins();
    /// The channel axis, with the default (last dimension) applied.
    int64_t getChannelAxisOrDefault();
  }];
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_MatmulOp : Lowbit_Op<"matmul", [Pure, AttrSizedOperandSegments]> {
  let summary = "quantized matmul with integer (or FP8) accumulation";
  let description = [{
    Multiplies quantized activations `lhs : [..., M, K]` by quantized weights
    `rhs : [N, K]` (or `[B, N, K]` with `lhs : [B, M, K]`), accumulating the
    products of codes exactly (i32 for integer formats, f32 for FP8):

    ```
    acc[m, n] = sum_k (a[m, k] - za) * (w[n, k] - zw)
              = sum_k a*w - za * sum_k w[n, k] - zw * sum_k a[m, k] + K*za*zw
    y[m, n]   = sa * sw * acc[m, n] + bias[n]
    ```

    where the sums run over the K-block that shares one weight scale (all of
    K for per-tensor and per-channel weights, one group otherwise). The
    activation scale may be per tensor or per row (`axis` = the M dimension,
    or `group` covering all of K); the weight scale per tensor, per output
    channel (`axis` = the N dimension) or group-wise along K.

    `col_sums`, when given, holds `sum_k w[n, k]` of the integer weight
    codes over each scale block (`[.., N]`, or `[.., N, K/G]` for group-wise
    weights), so that the activation zero-point correction costs no
    reduction at run time.

    Epilogue: without `requantize`, the result is the real `y` (f32, f16 or
    bf16). With `requantize(...)`, `y` is quantized to the result scheme:
    `q = clamp(round(y / so) + zo)`.

    ```mlir
    %y = lowbit.matmul %a, %w
        lhs(as #lowbit.scheme<u8, axis = 0, affine>
            scales(%sa : tensor<16xf32>) zero_points(%za : tensor<16xi32>))
        rhs(as #lowbit.scheme<i8, axis = 0>
            scales(dense_resource<ws> : tensor<64xf32>))
        : tensor<16x128xi8>, tensor<64x128xi8> -> tensor<16x64xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_CodeTensor:$lhs,
    Lowbit_CodeTensor:$rhs,
    Optional<Lowbit_ScaleTensor>:$lhs_dynamic_scales,
    Optional<Lowbit_ZeroPointTensor>:$lhs_dynamic_zero_points,
    Optional<Lowbit_RealTensor>:$bias,
    Lowbit_SchemeAttr:$lhs_scheme,
    OptionalAttr<AnyAttr>:$lhs_scales,
    OptionalAttr<AnyAttr>:$lhs_zero_points,
    Lowbit_SchemeAttr:$rhs_scheme,
    AnyAttr:$rhs_scales,
    OptionalAttr<AnyAttr>:$rhs_zero_points,
    OptionalAttr<ElementsAttr>:$col_sums,
    OptionalAttr<Lowbit_SchemeAttr>:$result_scheme,
    OptionalAttr<AnyAttr>:$result_scales,
    OptionalAttr<AnyAttr>:$result_zero_points);
  let results = (outs Lowbit_MatmulResultTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs
    `lhs` `(` `as` qualified($lhs_scheme)
              custom<QuantParams>($lhs_scales, $lhs_dynamic_scales,
                                  type($lhs_dynamic_scales), $lhs_zero_points,
                                  $lhs_dynamic_zero_points,
                                  type($lhs_dynamic_zero_points)) `)`
    `rhs` `(` `as` qualified($rhs_scheme)
              custom<StaticQuantParams>($rhs_scales, $rhs_zero_points) `)`
    (`col_sums` `(` $col_sums^ `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`requantize` `(` `as` qualified($result_scheme)^
                      custom<StaticQuantParams>($result_scales,
                                                $result_zero_points) `)`)?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when activation scales of `scheme` on an activation of `type`
    /// `[..., M, K]` are constant along K (per tensor or per row), so they
    /// factor out of the accumulation.
    static bool hasScalesConstantAlongK(SchemeAttr scheme,
                                        RankedTensorType type);
  }];
}

//===----------------------------------------------------------------------===//
// DequantMatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_DequantMatmulOp : Lowbit_Op<"dequant_matmul", [Pure]> {
  let summary = "real activations times quantized weights, dequantized in the GEMM";
  let description = [{
    `y[..., m, n] = sum_k x[..., m, k] * dequant(w)[n, k] + bias[n]` with
    `w : [N, K]` (or `[B, N, K]` with `x : [B, M, K]`) holding codes of
    `scheme`, whose scales (and zero-points when affine) are compile-time
    attributes. The weight is never materialised in floating point: the
    lowering dequantizes each block in registers inside the GEMM loop.
    Accumulation is in f32; the result has the activation's element type.

    Double quantization (QLoRA): with `scale_quant(blocks = B, offset = c)`
    the scales themselves are stored as i8 codes `q_s` (same shape as the
    scales would have), with one f32 scale per block of 256 consecutive
    scales (row-major) in `B` and a common offset `c`:
    `s[i] = q_s[i] * B[i floordiv 256] + c`.

    ```mlir
    %y = lowbit.dequant_matmul %x, %w
        as #lowbit.scheme<i4, group = 128, axis = 1, scale = f16>
        scales(dense_resource<ws> : tensor<64x1xf16>)
        : tensor<8x128xf32>, tensor<64x128xi4> -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins
    Lowbit_RealTensor:$input,
    Lowbit_CodeTensor:$weight,
    Optional<Lowbit_RealTensor>:$bias,
    Lowbit_SchemeAttr:$scheme,
    AnyAttr:$scales,
    OptionalAttr<AnyAttr>:$zero_points,
    OptionalAttr<ElementsAttr>:$scale_block_scales,
    OptionalAttr<F32Attr>:$scale_offset);
  let results = (outs Lowbit_RealTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `as` qualified($scheme)
    custom<StaticQuantParams>($scales, $zero_points)
    (`scale_quant` `(` `blocks` `=` $scale_block_scales^ `,` `offset` `=`
      $scale_offset `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// StagedDequantMatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_StagedDequantMatmulOp : Lowbit_Op<"staged_dequant_matmul", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a dequant_matmul on buffers, waiting for its staged GPU kernel";
  let description = [{
    The memref form of a `lowbit.dequant_matmul` that `lowbit-gpu-gemv`
    chose for the staged tensor-core kernel: `result[m, n] = sum_k
    input[m, k] * dequant(codes)[n, k] (+ bias[n])`, written into
    `result`. `codes` holds the weight bytes flat, row by row (two 4-bit
    codes per byte, low nibble first; 8-bit codes as their own type);
    `scales` and `zero_points` are scalars (one value) or flat buffers in
    the order of the scheme's granularity. It exists because the staged
    kernel's `gpu.barrier` and asynchronous-copy groups declare no memory
    effects and `buffer-deallocation-pipeline` rejects them: the op crosses
    bufferization and deallocation with declared effects (reads its inputs,
    writes `result`), and `lowbit-gpu-staged-mma`, placed after
    `convert-bufferization-to-memref`, replaces it by the `gpu.launch`.
    Internal to `lowbit-lower-to-nvvm`; nothing else creates or lowers it.

    ```mlir
    lowbit.staged_dequant_matmul %x, %codes as #lowbit.scheme<i4, group = 128,
        axis = 1, scale = f16> scales(%s : memref<8192xf16>) into %y
        : memref<64x1024xf16>, memref<65536xi8>, memref<64x128xf16>
    ```
  }];
  let arguments = (ins
    AnyMemRef:$input,
    AnyMemRef:$codes,
    AnyMemRef:$result,
    AnyType:$scales,
    Optional<AnyType>:$zero_points,
    Optional<AnyMemRef>:$bias,
    Lowbit_SchemeAttr:$scheme);
  let assemblyFormat = [{
    $input `,` $codes `as` qualified($scheme)
    `scales` `(` $scales `:` type($scales) `)`
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    `into` $result
    attr-dict `:` type($input) `,` type($codes) `,` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// StagedMatmulOp
//===----------------------------------------------------------------------===//

def Lowbit_StagedMatmulOp : Lowbit_Op<"staged_matmul", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "an integer or FP8 matmul on buffers, waiting for its "
                "staged GPU kernel";
  let description = [{
    The memref form of an integer (W8A8) or FP8 `lowbit.matmul` that
    `lowbit-gpu-quant-matmul` chose for a staged kernel of
    `lowbit-gpu-staged-matmul`: with `warpgroup`, the sm_90a one (TMA
    copies, mbarriers, wgmma; M, N, K multiples of 128, u8 codes multiplied
    as they are), else the cp.async + ldmatrix + mma.sync one (multiples of
    64; u8 activation codes shifted into s8, which needs `col_sums`):
    `result[m, n] = f(sum_k (lhs[m, k] - za) * rhs[n, k] * sa * sw + bias[n])`
    with `f` the cast to the result's element type, or the requantization
    of `result_scheme`. `lhs` is [M, K] codes, `rhs` [N, K] codes (weights
    symmetric: no zero-points), `result` [M, N]. Scales, the activation
    zero-point, the weights' column sums (for the zero-point correction)
    and the requantization parameters are scalars (one value) or flat
    buffers (per row of the activations, per row of the weights or per
    output channel). Like `lowbit.staged_dequant_matmul`, it exists so that
    the kernel's barriers cross bufferization and deallocation behind
    declared effects; `lowbit-gpu-device-buffers` treats it as device code
    (its buffers get device mirrors), and `lowbit-gpu-staged-matmul`, after
    it, builds the kernel (and for `warpgroup` the tensor maps on the
    host). Internal to `lowbit-lower-to-nvvm`.

    ```mlir
    lowbit.staged_matmul %a, %w into %y
        lhs(#lowbit.scheme<f8E4M3FN> scales(%sa : f32))
        rhs(#lowbit.scheme<f8E4M3FN, axis = 0> scales(%sw : memref<256xf32>))
        {warpgroup} : memref<256x512xf8E4M3FN>, memref<256x512xf8E4M3FN>,
          memref<256x256xf16>
    ```
  }];
  let arguments = (ins
    AnyMemRef:$lhs,
    AnyMemRef:$rhs,
    AnyMemRef:$result,
    AnyType:$lhs_scales,
    Optional<AnyType>:$lhs_zero_points,
    AnyType:$rhs_scales,
    Optional<AnyType>:$col_sums,
    Optional<AnyMemRef>:$bias,
    Optional<AnyType>:$result_scales,
    Optional<AnyType>:$result_zero_points,
    Lowbit_SchemeAttr:$lhs_scheme,
    Lowbit_SchemeAttr:$rhs_scheme,
    OptionalAttr<Lowbit_SchemeAttr>:$result_scheme,
    UnitAttr:$warpgroup);
  let assemblyFormat = [{
    $lhs `,` $rhs `into` $result
    `lhs` `(` qualified($lhs_scheme)
      `scales` `(` $lhs_scales `:` type($lhs_scales) `)`
      (`zero_points` `(` $lhs_zero_points^ `:` type($lhs_zero_points) `)`)?
    `)`
    `rhs` `(` qualified($rhs_scheme)
      `scales` `(` $rhs_scales `:` type($rhs_scales) `)`
      (`col_sums` `(` $col_sums^ `:` type($col_sums) `)`)?
    `)`
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`requantize` `(` qualified($result_scheme)^
      `scales` `(` $result_scales `:` type($result_scales) `)`
      (`zero_points` `(` $result_zero_points^ `:` type($result_zero_points) `)`)?
    `)`)?
    attr-dict `:` type($lhs) `,` type($rhs) `,` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DotU8S8Op
//===----------------------------------------------------------------------===//

def Lowbit_DotU8S8Op : Lowbit_Op<"dot_u8s8", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "groups of four u8 x s8 products added to i32 lanes (vpdpbusd)";
  let description = [{
    `result[i] = acc[i] + sum_{j < 4} u8(lhs[4i + j]) * s8(rhs[4i + j])`,
    exact in i32 (wrapping): the x86 `vpdpbusd` instruction of AVX512-VNNI
    and AVX-VNNI, which the CPU kernels of `lowbit-cpu-kernels` use for
    W8A8 matmuls. It is an op rather than a direct LLVM intrinsic call so
    that it stays pure (no memory effects) through bufferization;
    `lowbit-lower-cpu-intrinsics` turns it into the intrinsic call. Only
    code for a CPU with VNNI may contain it.

    ```mlir
    %r = lowbit.dot_u8s8 %acc, %a, %w : vector<64xi8> -> vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)";
  let hasVerifier = 1;
}

def Lowbit_DotI16Op : Lowbit_Op<"dot_i16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "pairs of i16 products added to i32 lanes (pmaddwd, add)";
  let description = [{
    `result[i] = acc[i] + lhs[2i] * rhs[2i] + lhs[2i + 1] * rhs[2i + 1]`,
    in i32 (wrapping; the pair sum is exact unless all four operands are
    -32768): the x86 `pmaddwd` instruction (SSE2, AVX2) and an add. The CPU
    kernels of `lowbit-cpu-kernels` use it for W8A8 matmuls on targets
    without VNNI, on sign-extended i8 codes, whose products and pair sums
    it computes exactly (16 products per 256-bit instruction, against 8 for
    a multiply of sign-extended i32 lanes). Pure, like `lowbit.dot_u8s8`;
    `lowbit-lower-cpu-intrinsics` turns it into the intrinsic calls (16
    lanes as two 256-bit halves, so that it needs only AVX2).

    ```mlir
    %r = lowbit.dot_i16 %acc, %a, %w : vector<16xi16> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I16]>:$lhs,
                       VectorOfRankAndType<[1], [I16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)";
  let hasVerifier = 1;
}

def Lowbit_Permute16Op : Lowbit_Op<"permute16", [Pure,
    AllTypesMatch<["table", "result"]>]> {
  let summary = "16-entry f32 table lookup by the low 4 bits of each index "
                "(vpermps)";
  let description = [{
    `result[i] = table[indices[i] & 15]`: the x86 `vpermps` instruction of
    AVX-512F on 16 lanes, which reads only the low 4 bits of each index.
    The CPU kernels of `lowbit-cpu-kernels` decode 4-bit lane words with it
    straight from the shifted words (no mask). Pure, like
    `lowbit.dot_u8s8`; `lowbit-lower-cpu-intrinsics` turns it into the
    intrinsic call. Only code for a CPU with AVX-512F may contain it.

    ```mlir
    %r = lowbit.permute16 %table, %indices : vector<16xi32> -> vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [F32]>:$table,
                       VectorOfLengthAndType<[16], [I32]>:$indices);
  let results = (outs VectorOfLengthAndType<[16], [F32]>:$result);
  let assemblyFormat =
      "$table `,` $indices attr-dict `:` type($indices) `->` type($table)";
}

def Lowbit_PermuteWords32Op : Lowbit_Op<"permute_words32", [Pure,
    AllTypesMatch<["table", "result", "indices"]>]> {
  let summary = "32-entry 16-bit table lookup by the low 5 bits of each "
                "index (vpermw)";
  let description = [{
    `result[i] = table[indices[i] & 31]` on 32 lanes of 16 bits: the x86
    `vpermw` instruction of AVX512BW, which reads only the low 5 bits of
    each index. With `bf16-products`, the CPU kernels of
    `lowbit-cpu-kernels` decode 4-bit lane words with it into bf16 values
    (the table holds the 16 values twice, so the fifth bit, the next
    nibble's lowest, does not matter) straight from the words shifted as 16
    lanes. Pure, like `lowbit.dot_u8s8`; `lowbit-lower-cpu-intrinsics` turns
    it into the intrinsic call. Only code for a CPU with AVX512BW may
    contain it.

    ```mlir
    %r = lowbit.permute_words32 %table, %indices : vector<32xi16>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[32], [I16]>:$table,
                       VectorOfLengthAndType<[32], [I16]>:$indices);
  let results = (outs VectorOfLengthAndType<[32], [I16]>:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($result)";
}

def Lowbit_PrefetchOp : Lowbit_Op<"prefetch", [
    DeclareOpInterfaceMethods<BufferizableOpInterface,
        ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
         "getAliasingValues", "bufferize"]>,
    MemoryEffects<[MemWrite]>]> {
  let summary = "prefetch an element of a tensor into the data cache";
  let description = [{
    Asks the CPU to bring the cache line holding `source[indices]` into the
    data cache (read, locality 3) ahead of its use; no effect on values.
    The CPU kernels of `lowbit-cpu-kernels` prefetch the weight stream a
    page ahead of the streaming kernel's reads, which the hardware
    prefetchers do not cross in time while the core is busy decoding.
    Bufferization turns it into `memref.prefetch` on the tensor's buffer
    (it reads nothing, so it never forces a copy). The index must be in
    bounds. Like `memref.prefetch`, it declares a write so that it is not
    erased as dead.

    ```mlir
    lowbit.prefetch %codes[%i] : tensor<2097152xi32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, Variadic<Index>:$indices);
  let assemblyFormat = "$source `[` $indices `]` attr-dict `:` type($source)";
  let hasVerifier = 1;
}

def Lowbit_DotBF16Op : Lowbit_Op<"dot_bf16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "pairs of bf16 products added to f32 lanes (vdpbf16ps)";
  let description = [{
    `result[i] = (acc[i] + lhs[2i + 1] * rhs[2i + 1]) + lhs[2i] * rhs[2i]`
    (the odd product first, as the instruction does),
    the products of bf16 values exact in f32 and the sums rounded to f32
    (nearest even; denormal inputs and results flushed to zero): the x86
    `vdpbf16ps` instruction of AVX512-BF16, which the CPU kernels of
    `lowbit-cpu-kernels` use with `bf16-products` to multiply
    activations and dequantized weights rounded to bf16 at twice the rate
    of f32 FMAs. Pure, like `lowbit.dot_u8s8`;
    `lowbit-lower-cpu-intrinsics` turns it into the intrinsic call. Only
    code for a CPU with AVX512-BF16 may contain it.

    ```mlir
    %r = lowbit.dot_bf16 %acc, %x, %w : vector<32xbf16> -> vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$acc,
                       VectorOfRankAndType<[1], [BF16]>:$lhs,
                       VectorOfRankAndType<[1], [BF16]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat =
      "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)";
  let hasVerifier = 1;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
