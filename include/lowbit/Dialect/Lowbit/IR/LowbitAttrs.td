//===- LowbitAttrs.td - lowbit attributes ------------------------*- tablegen -*-===//
//
// #lowbit.scheme: what the stored codes of a quantized tensor mean.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD

include "lowbit/Dialect/Lowbit/IR/LowbitDialect.td"
include "lowbit/Dialect/Lowbit/IR/LowbitEnums.td"
include "mlir/IR/AttrTypeBase.td"

def Lowbit_SchemeAttr : AttrDef<Lowbit_Dialect, "Scheme"> {
  let mnemonic = "scheme";
  let summary = "storage format, scale granularity, symmetry and scale type";
  let description = [{
    A quantization scheme says how codes map back to real values.

    - `format`: `i8`, `u8`, `i4`, `u4` (integers, two's complement for the
      signed ones), `nf4` (index into the 16 NormalFloat levels), `f4E2M1FN`,
      `f8E4M3FN`, `f8E5M2` (IEEE-style minifloats).
    - granularity: per tensor (default), per slice along `axis = A` (one scale
      per index of dimension A), or group-wise `group = G, axis = A` (dimension
      A is cut into blocks of G consecutive elements, one scale per block and
      per index of every other dimension).
    - `affine` adds an integer zero-point per scale (integer formats only);
      the default is symmetric (zero-point 0).
    - `scale = f16|bf16` stores scales in that type (default f32).

    Scale tensor shape for a tensor of shape S: per tensor a scalar, per axis
    `[S[A]]`, group-wise S with `S[A]` replaced by `S[A] / G`.

    Syntax:

    ```mlir
    #lowbit.scheme<i8>                                   // per tensor
    #lowbit.scheme<u8, axis = 0, affine>                 // per row, zero-points
    #lowbit.scheme<i4, group = 128, axis = 1, scale = f16>
    #lowbit.scheme<nf4, group = 64, axis = 1>
    ```
  }];
  let parameters = (ins
    EnumParameter<Lowbit_StorageFormat>:$format,
    EnumParameter<Lowbit_Granularity>:$granularity,
    "int64_t":$axis,
    "int64_t":$groupSize,
    "bool":$symmetric,
    "::mlir::Type":$scaleType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "StorageFormat":$format), [{
      return $_get($_ctxt, format, Granularity::Tensor, /*axis=*/-1,
                   /*groupSize=*/0, /*symmetric=*/true,
                   ::mlir::Float32Type::get($_ctxt));
    }]>
  ];
  let extraClassDeclaration = [{
    /// True for i8/u8/i4/u4: codes are integers and zero-points make sense.
    bool isIntegerFormat() const;
    /// True for the 4-bit formats, stored two codes per byte.
    bool isSubByte() const;
    /// True for f8E4M3FN and f8E5M2.
    bool isFp8Format() const;
    /// True when codes of this scheme and of `other` multiply exactly in
    /// lowbit.matmul: both integer (i32 accumulation) or both FP8 (f32).
    bool multipliesExactlyWith(SchemeAttr other) const;
    /// The element type of a tensor holding this scheme's codes
    /// (i8 for i8/u8, i4 for i4/u4/nf4, f4E2M1FN, f8E4M3FN, f8E5M2).
    ::mlir::Type getStorageType() const;
    /// Smallest and largest code of an integer format.
    int64_t getCodeMin() const;
    int64_t getCodeMax() const;
    /// The shape of the scale tensor for a quantized tensor of `shape`
    /// (empty for per-tensor schemes).
    ::llvm::SmallVector<int64_t> getScaleShape(::llvm::ArrayRef<int64_t> shape) const;
    /// Checks this scheme against a tensor shape: axis in range, group size
    /// dividing the grouped dimension.
    ::llvm::LogicalResult verifyForShape(
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError,
        ::llvm::ArrayRef<int64_t> shape) const;
  }];
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
