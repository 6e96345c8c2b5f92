//===- WeightDecoding.h - weight codes to values in GPU kernels -*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// How the GPU kernels of lowbit-gpu-gemv and lowbit-gpu-staged-mma turn the
// weight bytes they loaded into real values, with vector ops in registers
// and no value table in memory: nibbles split low first, i4 sign-extended
// with (c ^ 8) - 8, zero-points subtracted, NF4 and FP4 levels chosen by a
// tree of selects on the code bits, E4M3 turned into f32 bits with integer
// arithmetic, E5M2 read as the top byte of an f16.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_LOWBITTOGPU_WEIGHTDECODING_H
#define LOWBIT_CONVERSION_LOWBITTOGPU_WEIGHTDECODING_H

#include "KernelBuilding.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h"

namespace mlir::lowbit {

/// Bits per code of `scheme`'s format: 4 for i4, u4, nf4, f4E2M1FN, else 8.
inline unsigned codeBits(SchemeAttr scheme) {
  return scheme.isSubByte() ? 4 : 8;
}

/// Decodes the weight codes of one storage format in kernel registers.
class WeightDecoder {
public:
  WeightDecoder(OpBuilder &b, Location loc, SchemeAttr scheme)
      : b(b), loc(loc), format(scheme.getFormat()), bits(codeBits(scheme)) {}

  /// The codes in `bytes` (a vector of i8) as i32 lanes: one per byte for
  /// 8-bit codes, two per byte (low nibble first) for 4-bit ones, i4
  /// sign-extended.
  Value decodeCodes(Value bytes);
  /// The unscaled real values (vector of f32) of `codes` (vector of i32),
  /// less `zeroPoint` (an i32, or null) for the integer formats.
  Value decodeValues(Value codes, Value zeroPoint);

private:
  Value i32Splat(int64_t v, int64_t lanes);
  Value f32Splat(float v, int64_t lanes);
  /// The 16-entry value table of nf4/f4E2M1FN indexed by `codes`, as a
  /// tree of selects on the code bits (no memory lookups).
  Value selectFromTable(Value codes, ArrayRef<float> table);
  /// f8E4M3FN bit patterns to f32, with integer arithmetic.
  Value decodeE4M3(Value codes);
  /// f8E5M2 bit patterns to f32 (an E5M2 is the top byte of an f16).
  Value decodeE5M2(Value codes);

  OpBuilder &b;
  Location loc;
  StorageFormat format;
  unsigned bits;
};

} // namespace mlir::lowbit

#endif // LOWBIT_CONVERSION_LOWBITTOGPU_WEIGHTDECODING_H
