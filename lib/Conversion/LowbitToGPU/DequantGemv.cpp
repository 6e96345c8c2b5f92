//===- DequantGemv.cpp - memory-bound GPU kernels for small-M GEMMs -------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// lowbit.dequant_matmul with few activation rows (M <= max-m) is a GEMV:
// its time is the time to read the weight once. This pass replaces it, on
// tensors, by one gpu.launch that reads each weight byte exactly once:
//
//   %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 128,
//          axis = 1, scale = f16> scales(...) bias(%b)
//          : tensor<MxKxf16>, tensor<NxKxi4> -> tensor<MxNxf16>
//
// becomes
//
//   %xb = bufferization.to_buffer %x read_only    (likewise weight bytes,
//   %yb = memref.alloc() : memref<MxNxf16>         scales, bias)
//   gpu.launch blocks(ceil(N / W), 1, 1) threads(32 W, 1, 1) {
//     n = block * W + warp                         // one warp per weight row
//     scf.if n < N {
//       acc[0..M) = scf.for byte = 16 lane to K/2 step 512 {
//         q = vector.load %wb[n K/2 + byte] {alignment = 16} : vector<16xi8>
//         codes = vector.interleave (q & 15), (q >> 4)  // 32 x i32, in regs
//         w = sitofp((codes ^ 8) - 8)                   // or table / fp8
//         s = scale[n, 2 byte / G]
//         acc[m] += s * vector.reduction<add>(x[m, 2 byte ..+32] * w)
//       }
//       acc[m] = warp butterfly sum (gpu.shuffle xor 16, 8, 4, 2, 1)
//       lane 0: y[m, n] = trunc(acc[m] (* channel scale) + bias[n])
//     }
//   }
//   %y = bufferization.to_tensor %yb restrict writable
//
// Loads are coalesced: the 32 lanes of a warp read 512 consecutive bytes of
// the row per step, 16 bytes each. The scale (group-wise or per row) and
// the bias are applied in registers; nothing but y is written.
//
// Applies to: static [M, K] x [N, K] operands, f16/bf16/f32 activations,
// 4-bit weights stored as constants (i4, u4, nf4, f4E2M1FN; packed blobs
// are read as they are, dense constants are packed here) or 8-bit
// weights (i8, u8, f8E4M3FN, f8E5M2; constants or arguments), scales per
// tensor, per output row or group-wise along K, optional integer
// zero-points. K must be a multiple of the codes in 16 bytes (32 or 16) and
// so must the group size. Anything else is left to the generic lowering.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "../LowbitToLinalg/CodeDecoding.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Quant/Formats.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUGEMVPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;
namespace numerics = ::lowbit::quant;

namespace {

constexpr int64_t kWarpSize = 32;
/// Bytes of weight one lane loads per step.
constexpr int64_t kChunkBytes = 16;

/// A scale or zero-point as the kernel reads it: a scalar constant, or a
/// flat 1-D buffer indexed by row (per row) or row * groups + group.
struct KernelParam {
  Value scalar;
  Value buffer;
};

/// Everything the kernel builder needs, checked by `plan`.
struct GemvPlan {
  int64_t m = 0, n = 0, k = 0;
  unsigned bits = 0;
  SchemeAttr scheme;
  Type activation;
  /// Codes per group along K (0: per row or per tensor).
  int64_t groupSize = 0;
};

/// Ops built outside the kernel.
struct HostValues {
  Value x, codes, bias;
  KernelParam scale, zeroPoint;
};

/// Why a dequant_matmul keeps the generic lowering, or "" when it applies.
std::string plan(DequantMatmulOp op, int64_t maxM, GemvPlan &out) {
  RankedTensorType xType = op.getInput().getType();
  RankedTensorType wType = op.getWeight().getType();
  if (xType.getRank() != 2 || wType.getRank() != 2 || !xType.hasStaticShape() ||
      !wType.hasStaticShape())
    return "needs static rank-2 operands";
  out.m = xType.getDimSize(0);
  out.k = xType.getDimSize(1);
  out.n = wType.getDimSize(0);
  if (out.m > maxM)
    return "M is above max-m";
  out.activation = xType.getElementType();
  if (!out.activation.isF16() && !out.activation.isBF16() &&
      !out.activation.isF32())
    return "needs f16, bf16 or f32 activations";
  out.scheme = op.getScheme();
  if (op.getScaleBlockScalesAttr())
    return "double-quantized scales are not supported";
  switch (out.scheme.getFormat()) {
  case StorageFormat::I4:
  case StorageFormat::U4:
  case StorageFormat::NF4:
  case StorageFormat::F4E2M1FN:
    out.bits = 4;
    break;
  default:
    out.bits = 8;
  }
  int64_t chunkCodes = kChunkBytes * (8 / out.bits);
  if (out.k % chunkCodes)
    return "K is not a multiple of " + std::to_string(chunkCodes);
  switch (out.scheme.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (out.scheme.getAxis() != 0)
      return "per-axis scales must be per output row";
    break;
  case Granularity::Group:
    if (out.scheme.getAxis() != 1)
      return "group-wise scales must be along K";
    out.groupSize = out.scheme.getGroupSize();
    if (out.groupSize % chunkCodes)
      return "the group size is not a multiple of " +
             std::to_string(chunkCodes);
    break;
  }
  if (!isa<ElementsAttr, FloatAttr>(op.getScalesAttr()))
    return "needs static scales";
  if (op.getBias() && (op.getBias().getType().getRank() != 1))
    return "needs a rank-1 bias";
  return "";
}

/// The weight bytes as a flat i8 tensor, or null when they cannot be read
/// that way (4-bit codes that are not a packed constant).
Value flatCodes(OpBuilder &b, Location loc, const GemvPlan &plan,
                Value weight) {
  CodeSource source = getCodeSource(b, loc, weight);
  if (source.flat)
    return source.tensor;
  if (plan.bits == 4) {
    // A dense (not resource) 4-bit constant is packed here, two codes per
    // byte, low nibble first, as the packed blobs are.
    DenseElementsAttr dense;
    if (!matchPattern(weight, m_Constant(&dense)))
      return {};
    auto nibble = [](Attribute attr) -> uint8_t {
      if (auto i = dyn_cast<IntegerAttr>(attr))
        return i.getValue().getZExtValue() & 15;
      return cast<FloatAttr>(attr).getValue().bitcastToAPInt().getZExtValue() &
             15;
    };
    int64_t count = dense.getNumElements();
    auto bytesType = RankedTensorType::get({(count + 1) / 2}, b.getI8Type());
    DenseElementsAttr bytes;
    if (dense.isSplat()) {
      uint8_t code = nibble(dense.getSplatValue<Attribute>());
      bytes = DenseElementsAttr::get(
          bytesType, b.getI8IntegerAttr(int8_t(code | code << 4)));
    } else {
      std::vector<int8_t> packed((count + 1) / 2, 0);
      int64_t i = 0;
      for (Attribute attr : dense.getValues<Attribute>()) {
        packed[i / 2] |= int8_t(nibble(attr) << (4 * (i % 2)));
        ++i;
      }
      bytes = DenseElementsAttr::get(bytesType, ArrayRef<int8_t>(packed));
    }
    return arith::ConstantOp::create(b, loc, bytesType, bytes);
  }
  // 8-bit codes of a float type stay that type in memory; the kernel
  // bitcasts the loaded vector to bytes.
  auto type = cast<RankedTensorType>(weight.getType());
  auto flatType =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  return tensor::CollapseShapeOp::create(
      b, loc, flatType, weight, SmallVector<ReassociationIndices>{{0, 1}});
}

/// A read-only buffer of a tensor, for the kernel.
Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

/// A static scale or zero-point: a scalar when there is one value, else a
/// flat buffer.
KernelParam materializeParam(OpBuilder &b, Location loc, Attribute attr,
                             Type scalarType) {
  KernelParam param;
  if (auto f = dyn_cast<FloatAttr>(attr)) {
    param.scalar = arith::ConstantOp::create(b, loc, f);
    return param;
  }
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    param.scalar = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                                i.getValue().getSExtValue());
    return param;
  }
  auto elements = cast<ElementsAttr>(attr);
  auto type = cast<RankedTensorType>(elements.getShapedType());
  if (type.getNumElements() == 1) {
    Type element = type.getElementType();
    if (isa<FloatType>(element))
      param.scalar = arith::ConstantOp::create(
          b, loc, FloatAttr::get(element, *elements.value_begin<APFloat>()));
    else
      param.scalar = arith::ConstantIntOp::create(
          b, loc, b.getI32Type(),
          (*elements.value_begin<APInt>()).getSExtValue());
    return param;
  }
  Value tensor = arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
  if (type.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    tensor = tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get({type.getNumElements()}, type.getElementType()),
        tensor, SmallVector<ReassociationIndices>{all});
  }
  param.buffer = toBuffer(b, loc, tensor);
  return param;
}

//===----------------------------------------------------------------------===//
// Kernel body
//===----------------------------------------------------------------------===//

/// Builds the body of one GEMV launch.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const GemvPlan &plan,
                const HostValues &host, Value y)
      : b(b), loc(loc), plan(plan), host(host), y(y) {}

  /// Builds the kernel body of thread `threadId` of block `blockId`.
  void build(Value blockId, Value threadId, int64_t warpsPerBlock);
  /// Test only: the same computation as host loops (see host-emulation).
  void buildHostEmulation(int64_t numBlocks, int64_t warpsPerBlock);

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32Splat(int64_t v, int64_t lanes) {
    auto type = VectorType::get({lanes}, b.getI32Type());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getI32IntegerAttr(v)));
  }
  Value f32Splat(float v, int64_t lanes) {
    auto type = VectorType::get({lanes}, b.getF32Type());
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
  }
  Value toF32(Value v) {
    if (v.getType().isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  /// The weight row of warp `warp` of block `blockId`.
  Value buildRow(Value blockId, Value warp, int64_t warpsPerBlock);
  /// One lane's f32 sums (one per activation row) over its 16-byte chunks
  /// of weight row `row`: chunks lane, lane + 32, ...
  SmallVector<Value> buildPartialSums(Value row, Value lane);
  /// Row scale, bias, cast and store of the full sums of `row`.
  void buildEpilogue(Value row, ArrayRef<Value> sums);
  /// Reads a parameter at `flat` (an index), as f32 or i32.
  Value readParam(const KernelParam &param, Value flat, bool integer);
  /// The codes of one 16-byte chunk as i32 lanes.
  Value decodeCodes(Value bytes);
  /// The unscaled real values of `codes` (vector of i32).
  Value decodeValues(Value codes, Value zeroPoint);
  /// The 16-entry value table of nf4/f4E2M1FN indexed by `codes`, as a
  /// tree of selects on the code bits (no memory lookups).
  Value selectFromTable(Value codes, ArrayRef<float> table);
  /// f8E4M3FN bit patterns to f32, with integer arithmetic.
  Value decodeE4M3(Value codes);
  /// f8E5M2 bit patterns to f32 (an E5M2 is the top byte of an f16).
  Value decodeE5M2(Value codes);

  OpBuilder &b;
  Location loc;
  const GemvPlan &plan;
  const HostValues &host;
  Value y;
};

} // namespace

Value KernelBuilder::readParam(const KernelParam &param, Value flat,
                               bool integer) {
  Value v = param.scalar;
  if (!v)
    v = memref::LoadOp::create(b, loc, param.buffer, flat);
  if (!integer)
    return toF32(v);
  if (v.getType() != b.getI32Type())
    v = arith::ExtSIOp::create(b, loc, b.getI32Type(), v);
  return v;
}

Value KernelBuilder::decodeCodes(Value bytes) {
  auto i32x16 = VectorType::get({kChunkBytes}, b.getI32Type());
  StorageFormat format = plan.scheme.getFormat();
  if (plan.bits == 8)
    return format == StorageFormat::I8
               ? arith::ExtSIOp::create(b, loc, i32x16, bytes).getResult()
               : arith::ExtUIOp::create(b, loc, i32x16, bytes).getResult();
  // Two codes per byte, low nibble first.
  Value wide = arith::ExtUIOp::create(b, loc, i32x16, bytes);
  Value low = arith::AndIOp::create(b, loc, wide, i32Splat(15, kChunkBytes));
  Value high = arith::ShRUIOp::create(b, loc, wide, i32Splat(4, kChunkBytes));
  Value codes = vector::InterleaveOp::create(b, loc, low, high);
  if (format == StorageFormat::I4) {
    // Two's complement of 4 bits: (c ^ 8) - 8.
    Value eight = i32Splat(8, 2 * kChunkBytes);
    codes = arith::SubIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, codes, eight), eight);
  }
  return codes;
}

Value KernelBuilder::selectFromTable(Value codes, ArrayRef<float> table) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  SmallVector<Value> level;
  for (float v : table)
    level.push_back(f32Splat(v, lanes));
  Value zero = i32Splat(0, lanes);
  for (int64_t bit = 0; level.size() > 1; ++bit) {
    Value mask = i32Splat(int64_t(1) << bit, lanes);
    Value set =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                              arith::AndIOp::create(b, loc, codes, mask), zero);
    SmallVector<Value> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(
          arith::SelectOp::create(b, loc, set, level[i + 1], level[i]));
    level = std::move(next);
  }
  return level.front();
}

Value KernelBuilder::decodeE4M3(Value codes) {
  // s eeee mmm: normal (1 + m/8) 2^(e-7), f32 bits s | (e + 120) << 23 |
  // m << 20; subnormal (e = 0) m 2^-9; s 1111 111 is NaN.
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  auto f32s = VectorType::get({lanes}, b.getF32Type());
  Value sign = arith::ShLIOp::create(
      b, loc,
      arith::AndIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, codes, i32Splat(7, lanes)),
          i32Splat(1, lanes)),
      i32Splat(31, lanes));
  Value exponent = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, codes, i32Splat(3, lanes)),
      i32Splat(15, lanes));
  Value mantissa = arith::AndIOp::create(b, loc, codes, i32Splat(7, lanes));
  Value normalBits = arith::OrIOp::create(
      b, loc,
      arith::OrIOp::create(
          b, loc, sign,
          arith::ShLIOp::create(
              b, loc,
              arith::AddIOp::create(b, loc, exponent, i32Splat(120, lanes)),
              i32Splat(23, lanes))),
      arith::ShLIOp::create(b, loc, mantissa, i32Splat(20, lanes)));
  Value normal = arith::BitcastOp::create(b, loc, f32s, normalBits);
  Value subnormalMagnitude = arith::MulFOp::create(
      b, loc, arith::SIToFPOp::create(b, loc, f32s, mantissa),
      f32Splat(1.0f / 512.0f, lanes));
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign,
                                         i32Splat(0, lanes));
  Value subnormal = arith::SelectOp::create(
      b, loc, negative, arith::NegFOp::create(b, loc, subnormalMagnitude),
      subnormalMagnitude);
  Value isSubnormal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            exponent, i32Splat(0, lanes));
  Value value = arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
  Value isNaN = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, loc, codes, i32Splat(127, lanes)),
      i32Splat(127, lanes));
  return arith::SelectOp::create(
      b, loc, isNaN, f32Splat(std::numeric_limits<float>::quiet_NaN(), lanes),
      value);
}

Value KernelBuilder::decodeE5M2(Value codes) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  Value shifted = arith::ShLIOp::create(b, loc, codes, i32Splat(8, lanes));
  Value half = arith::TruncIOp::create(
      b, loc, VectorType::get({lanes}, b.getI16Type()), shifted);
  Value f16s = arith::BitcastOp::create(
      b, loc, VectorType::get({lanes}, b.getF16Type()), half);
  return arith::ExtFOp::create(b, loc, VectorType::get({lanes}, b.getF32Type()),
                               f16s);
}

Value KernelBuilder::decodeValues(Value codes, Value zeroPoint) {
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  auto f32s = VectorType::get({lanes}, b.getF32Type());
  switch (plan.scheme.getFormat()) {
  case StorageFormat::NF4: {
    std::vector<float> table(numerics::nf4Levels().begin(),
                             numerics::nf4Levels().end());
    return selectFromTable(codes, table);
  }
  case StorageFormat::F4E2M1FN: {
    std::vector<float> table;
    for (unsigned code = 0; code < 16; ++code)
      table.push_back(numerics::decodeFP4E2M1(code));
    return selectFromTable(codes, table);
  }
  case StorageFormat::F8E4M3FN:
    return decodeE4M3(codes);
  case StorageFormat::F8E5M2:
    return decodeE5M2(codes);
  default:
    break;
  }
  if (zeroPoint)
    codes = arith::SubIOp::create(
        b, loc, codes,
        vector::BroadcastOp::create(b, loc, codes.getType(), zeroPoint));
  return arith::SIToFPOp::create(b, loc, f32s, codes);
}

SmallVector<Value> KernelBuilder::buildPartialSums(Value row, Value lane) {
  Type f32 = b.getF32Type();
  int64_t codesPerByte = 8 / plan.bits;
  int64_t chunkCodes = kChunkBytes * codesPerByte;
  int64_t rowBytes = plan.k / codesPerByte;
  bool grouped = plan.groupSize > 0;
  bool affine = !plan.scheme.getSymmetric();

  Value rowBase = arith::MulIOp::create(b, loc, row, index(rowBytes));
  Value start = arith::MulIOp::create(b, loc, lane, index(kChunkBytes));
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<Value> inits(plan.m, zeroF);
  auto loop = scf::ForOp::create(b, loc, start, index(rowBytes),
                                 index(kWarpSize * kChunkBytes), inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value byte = loop.getInductionVar();
    Type stored = cast<MemRefType>(host.codes.getType()).getElementType();
    auto bytesType = VectorType::get({kChunkBytes}, b.getI8Type());
    Value bytes = vector::LoadOp::create(
        b, loc, VectorType::get({kChunkBytes}, stored), host.codes,
        ValueRange{arith::AddIOp::create(b, loc, rowBase, byte)},
        /*nontemporal=*/false, llvm::MaybeAlign(kChunkBytes));
    if (stored != b.getI8Type())
      bytes = arith::BitcastOp::create(b, loc, bytesType, bytes);
    Value k0 = arith::MulIOp::create(b, loc, byte, index(codesPerByte));

    // This chunk's group: its scale and zero-point.
    Value paramIndex = row;
    if (grouped)
      paramIndex = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, row, index(plan.k / plan.groupSize)),
          arith::DivUIOp::create(b, loc, k0, index(plan.groupSize)));
    Value zeroPoint;
    if (affine)
      zeroPoint = readParam(host.zeroPoint, paramIndex, /*integer=*/true);
    Value values = decodeValues(decodeCodes(bytes), zeroPoint);
    Value scale;
    if (grouped)
      scale = readParam(host.scale, paramIndex, /*integer=*/false);

    auto xType = VectorType::get({chunkCodes}, plan.activation);
    SmallVector<Value> next;
    for (int64_t m = 0; m < plan.m; ++m) {
      Value x = vector::LoadOp::create(
          b, loc, xType, host.x, ValueRange{index(m), k0},
          /*nontemporal=*/false, llvm::MaybeAlign(kChunkBytes));
      if (!plan.activation.isF32())
        x = arith::ExtFOp::create(b, loc, VectorType::get({chunkCodes}, f32),
                                  x);
      Value products = arith::MulFOp::create(b, loc, x, values);
      Value dot = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, products, Value(),
          arith::FastMathFlags::reassoc);
      if (scale)
        dot = arith::MulFOp::create(b, loc, dot, scale);
      next.push_back(
          arith::AddFOp::create(b, loc, loop.getRegionIterArgs()[m], dot));
    }
    scf::YieldOp::create(b, loc, next);
  }

  return SmallVector<Value>(loop.getResults());
}

void KernelBuilder::buildEpilogue(Value row, ArrayRef<Value> sums) {
  bool grouped = plan.groupSize > 0;
  Value scale;
  if (!grouped)
    scale = readParam(host.scale, row, /*integer=*/false);
  Value bias;
  if (host.bias)
    bias = toF32(memref::LoadOp::create(b, loc, host.bias, row));
  for (int64_t m = 0; m < plan.m; ++m) {
    Value result = sums[m];
    if (scale)
      result = arith::MulFOp::create(b, loc, result, scale);
    if (bias)
      result = arith::AddFOp::create(b, loc, result, bias);
    if (!plan.activation.isF32())
      result = arith::TruncFOp::create(b, loc, plan.activation, result);
    memref::StoreOp::create(b, loc, result, y, ValueRange{index(m), row});
  }
}

Value KernelBuilder::buildRow(Value blockId, Value warp,
                              int64_t warpsPerBlock) {
  return arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, blockId, index(warpsPerBlock)),
      warp);
}

void KernelBuilder::build(Value blockId, Value threadId,
                          int64_t warpsPerBlock) {
  Value warp = arith::DivUIOp::create(b, loc, threadId, index(kWarpSize));
  Value lane = arith::RemUIOp::create(b, loc, threadId, index(kWarpSize));
  Value row = buildRow(blockId, warp, warpsPerBlock);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                        index(plan.n));
  auto ifRow = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifRow.getThenRegion().front());
  SmallVector<Value> sums = buildPartialSums(row, lane);

  // Butterfly: after the xor steps every lane holds the row's full sum.
  for (Value &sum : sums)
    for (int32_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
      auto shuffle = gpu::ShuffleOp::create(b, loc, sum, offset, kWarpSize,
                                            gpu::ShuffleMode::XOR);
      sum = arith::AddFOp::create(b, loc, sum, shuffle.getShuffleResult());
    }

  // Epilogue in lane 0.
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, index(0));
  auto ifFirst = scf::IfOp::create(b, loc, isFirst, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&ifFirst.getThenRegion().front());
  buildEpilogue(row, sums);
}

void KernelBuilder::buildHostEmulation(int64_t numBlocks,
                                       int64_t warpsPerBlock) {
  // Pass 1: every lane of every warp, in turn, computes its partial sums
  // and leaves them in scratch[block][warp][lane][m]. Pass 2: per warp, the
  // lanes' sums are added (what the butterfly computes) and the epilogue
  // runs.
  Type f32 = b.getF32Type();
  int64_t lanes = numBlocks * warpsPerBlock * kWarpSize;
  Value scratch =
      memref::AllocOp::create(b, loc, MemRefType::get({lanes * plan.m}, f32));
  Value zero = index(0), one = index(1);
  auto rowGuard = [&](Value row) {
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          row, index(plan.n));
    auto ifRow = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    b.setInsertionPointToStart(&ifRow.getThenRegion().front());
  };
  {
    OpBuilder::InsertionGuard guard(b);
    auto blocks = scf::ForOp::create(b, loc, zero, index(numBlocks), one);
    b.setInsertionPointToStart(blocks.getBody());
    auto threads =
        scf::ForOp::create(b, loc, zero, index(warpsPerBlock * kWarpSize), one);
    b.setInsertionPointToStart(threads.getBody());
    Value tid = threads.getInductionVar();
    Value warp = arith::DivUIOp::create(b, loc, tid, index(kWarpSize));
    Value lane = arith::RemUIOp::create(b, loc, tid, index(kWarpSize));
    Value row = buildRow(blocks.getInductionVar(), warp, warpsPerBlock);
    rowGuard(row);
    SmallVector<Value> sums = buildPartialSums(row, lane);
    Value slot = arith::MulIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, blocks.getInductionVar(),
                                  index(warpsPerBlock * kWarpSize)),
            tid),
        index(plan.m));
    for (int64_t m = 0; m < plan.m; ++m)
      memref::StoreOp::create(
          b, loc, sums[m], scratch,
          ValueRange{arith::AddIOp::create(b, loc, slot, index(m))});
  }
  OpBuilder::InsertionGuard guard(b);
  auto blocks = scf::ForOp::create(b, loc, zero, index(numBlocks), one);
  b.setInsertionPointToStart(blocks.getBody());
  auto warps = scf::ForOp::create(b, loc, zero, index(warpsPerBlock), one);
  b.setInsertionPointToStart(warps.getBody());
  Value warp = warps.getInductionVar();
  Value row = buildRow(blocks.getInductionVar(), warp, warpsPerBlock);
  rowGuard(row);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  auto laneLoop = scf::ForOp::create(b, loc, zero, index(kWarpSize), one,
                                     SmallVector<Value>(plan.m, zeroF));
  {
    OpBuilder::InsertionGuard laneGuard(b);
    b.setInsertionPointToStart(laneLoop.getBody());
    Value tid = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, warp, index(kWarpSize)),
        laneLoop.getInductionVar());
    Value slot = arith::MulIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, blocks.getInductionVar(),
                                  index(warpsPerBlock * kWarpSize)),
            tid),
        index(plan.m));
    SmallVector<Value> next;
    for (int64_t m = 0; m < plan.m; ++m) {
      Value partial = memref::LoadOp::create(
          b, loc, scratch,
          ValueRange{arith::AddIOp::create(b, loc, slot, index(m))});
      next.push_back(arith::AddFOp::create(
          b, loc, laneLoop.getRegionIterArgs()[m], partial));
    }
    scf::YieldOp::create(b, loc, next);
  }
  buildEpilogue(row, SmallVector<Value>(laneLoop.getResults()));
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

struct GPUGemvPass : public mlir::lowbit::impl::GPUGemvPassBase<GPUGemvPass> {
  using GPUGemvPassBase::GPUGemvPassBase;

  void runOnOperation() override {
    SmallVector<DequantMatmulOp> ops;
    getOperation().walk([&](DequantMatmulOp op) { ops.push_back(op); });
    for (DequantMatmulOp op : ops)
      rewrite(op);
  }

private:
  void rewrite(DequantMatmulOp op);
};

} // namespace

void GPUGemvPass::rewrite(DequantMatmulOp op) {
  GemvPlan plan;
  if (!::plan(op, maxM, plan).empty())
    return;
  OpBuilder b(op);
  Location loc = op.getLoc();
  HostValues host;
  Value codes = flatCodes(b, loc, plan, op.getWeight());
  if (!codes)
    return;
  host.codes = toBuffer(b, loc, codes);
  host.x = toBuffer(b, loc, op.getInput());
  if (op.getBias())
    host.bias = toBuffer(b, loc, op.getBias());
  host.scale = materializeParam(b, loc, op.getScalesAttr(), b.getF32Type());
  if (!plan.scheme.getSymmetric()) {
    if (!op.getZeroPointsAttr())
      return;
    host.zeroPoint =
        materializeParam(b, loc, op.getZeroPointsAttr(), b.getI32Type());
  }
  auto yType = MemRefType::get({plan.m, plan.n}, plan.activation);
  Value y = memref::AllocOp::create(b, loc, yType);

  int64_t warps = std::max<int64_t>(1, warpsPerBlock);
  int64_t numBlocks = (plan.n + warps - 1) / warps;
  if (hostEmulation) {
    // Test only: the same body in host loops, so that the CPU pipeline can
    // run it.
    KernelBuilder(b, loc, plan, host, y).buildHostEmulation(numBlocks, warps);
  } else {
    auto c1 = arith::ConstantIndexOp::create(b, loc, 1);
    auto blocks = arith::ConstantIndexOp::create(b, loc, numBlocks);
    auto threads = arith::ConstantIndexOp::create(b, loc, warps * kWarpSize);
    auto launch =
        gpu::LaunchOp::create(b, loc, blocks, c1, c1, threads, c1, c1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    KernelBuilder(b, loc, plan, host, y)
        .build(launch.getBlockIds().x, launch.getThreadIds().x, warps);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b, loc);
  }
  Value result = bufferization::ToTensorOp::create(
      b, loc, op.getType(), y, /*restrict=*/true, /*writable=*/true);
  op.replaceAllUsesWith(result);
  op.erase();
}
