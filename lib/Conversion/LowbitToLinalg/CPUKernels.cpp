//===- CPUKernels.cpp - dequant_matmul as an scf/vector CPU kernel --------===//
//
// lowbit-cpu-kernels rewrites lowbit.dequant_matmul with x : [M, K]
// (f32; f16 and bf16 extended to f32 once per call, the f32 sums rounded
// back to their type at the end),
// weight codes w : [N, K] (i8, u8, FP8 E4M3FN / E5M2, or i4 / u4 / NF4 /
// FP4 E2M1 packed two per byte, low nibble first), per-tensor,
// per-output-channel or group-wise (along K) scales into a kernel that
// streams each weight row once and decodes it in vector registers (VL
// lanes, CH = VL codes per step, 2 * VL for 4-bit):
//
//   y = scf.forall (b) in (N / NB) shared_outs(y0) {  // columns n0 .. n0+NB
//     for each chunk of rows whose activations fit in 256 KiB (L2):
//       for n in [n0, n0 + NB) step C:                 // C weight rows at once
//         for each block of R rows m (then the remaining rows one by one):
//           acc_rc = 0                                    (vector<VLxf32>)
//           for g in groups:                              (G = K per channel)
//             p_rc = 0
//             for k0 in [g*G, (g+1)*G) step CH:
//               c_c = value(w[n+c, k0 .. k0+CH)) as f32 (- zero-point)
//               p_rc += x[m_r, k0 .. k0+CH) * c_c         (R x C FMAs)
//             acc_rc += p_rc * s[n+c, g]
//           y[m_r, n+c] = reduce_add(acc_rc) (+ bias[n+c])
//   }
//
// Constant 4-bit weights are repacked at compile time (the offline
// repacking, `repack`, on by default) into lane words: per weight row,
// steps of 8 * VL codes, each VL 32-bit words where word l holds in nibble j
// the code of k0 + j * VL + l (interleaveNibblesForLanes):
//
//   bytes (as stored):  [c0 c1] [c2 c3] ...            low nibble first
//   lane words (VL=4):  w0 = c28 c24 ... c4 c0  (nibble 7 .. nibble 0)
//                       w1 = c29 c25 ... c5 c1, ...
//
// A step is one vector load; vector j = (words >> 4j) & 15 (i4: words <<
// (28 - 4j) >> 28, arithmetic; at 16 lanes a table lookup by
// lowbit.permute16 straight from words >> 4j, vpermps reading the low 4
// bits) holds VL consecutive codes, which meet the activations
// x[m, k0 + j * VL ..] as they are. A step may hold several
// groups (group size a multiple of VL): their partial sums stay apart until
// each is scaled, or, when a group has fewer vectors than the block has
// activation rows, the decoded values are scaled instead. At 16 lanes the
// lookup table itself is scaled instead, once per weight row and group
// (scalesInTables): table = (values - zero-point) * scale, so a lookup
// yields the dequantized weight and the products add straight into sums
// that run on across groups:
//   sum_rc += x[m_r, k0 + j*VL ..] * permute16(table_cg, words_c >> 4j)
// Warm 4096 x 4096 i4 g128 GEMV on one thread: 0.31 ms on x86-64-v4 and
// 0.75 ms on x86-64-v3, against 0.52 and 1.22 ms for the bytes.
//
// Constant weights (every format) are also stored in the order the kernel
// reads them (interleaveRowSteps, with `repack`): the C weight rows a step
// reads are side by side step by step, a task's rows one K block after the
// other, so each task reads its weights front to back as one sequence
// instead of C rows at a time (2-core Zen 5 build machine, GEMV from DRAM,
// paired plain read: i8 from 0.79-0.83 to 0.97-1.16 of the read, i4 g128
// from 0.65-0.68 to 0.70-0.89; why the memory system serves the single
// sequence better was not profiled). The dequant kernel reads K in blocks of
// at most 2048 codes, or one group where groups are longer (per tensor and
// per channel, K is cut into "groups" of at most 4096 codes that share the
// scale), so that a row's activations stay in L1 while the weights pass;
// each block's sums are added to y, which starts at zero or at the bias.
//
// Otherwise (repack=false, K not a multiple of 8 * VL, or a group size that
// neither divides 8 * VL nor is a multiple of it), a 4-bit step
// reads VL bytes: the low nibbles are the codes of
// the even k, the high nibbles those of the odd k, and the activations are
// split once per call into even and odd lanes to match (vector.shuffle,
// each step stored as [even.., odd..]), so the codes are never interleaved.
// With 16 lanes, 4-bit integers are decoded by a table lookup as NF4 / FP4
// (lookupDecodes). The sum is reassociated: per-lane partial sums, the scale
// applied once per group (at 16 lanes to each looked-up weight, as the
// linalg lowering does), a fixed tree of halving adds at the end (the linalg
// lowering sums k in order; the difference is rounding, within K * 2^-24
// relative). Decoding is exact and in registers: integers by sitofp; NF4 / FP4
// nibbles by lookups in constant table vectors (variable permutes; a tree of
// selects below 8 lanes, lookupNibbles); FP8 bytes through f16 (below 8 lanes
// by moving sign, exponent and mantissa into an f32, decodeFP8), so every
// format gives the values of the linalg lowering's tables. The result depends
// on vector-width and fma (the tools derive both from the target CPU), never on
// how LLVM legalizes. For 4-bit weights it also depends
// on whether a row is computed in a block of `rows` activation rows or in
// the one-by-one remainder (the number of partial-sum chains, and whether
// small groups scale sums or values, follow the block's size), so the last
// bits of a row's result can depend on M. Ops it does not handle
// (double-quantized scales, batches, K not a multiple of CH, FP8 codes that are
// not a dense_resource constant) are left to lowbit-lower-to-linalg.
//
// Each load of lane words is followed by a lowbit.prefetch of the code
// stream a page (4 KiB) ahead (prefetchAhead), which becomes a
// memref.prefetch on bufferization.
//
// With bf16-products (AVX512-BF16, 16 lanes), lane words are multiplied as
// bf16 pairs:
// x is rounded to bf16 once per call into [M, K / 2] words pairing
// x[k0 + 16i + l] (low half) with x[k0 + 16(i + 4) + l], and each step's
// words, as 32 16-bit lanes, give pair vector i by one shift right by 4i
// and one lowbit.permute_words32 (vpermw) in the format's values as bf16:
//   sum[l] += x[k0+16i+l] * v(nibble i of word l)
//           + x[k0+16(i+4)+l] * v(nibble i+4 of word l)   (lowbit.dot_bf16)
// with v = value - zero-point (a table per weight row and group when there
// are zero-points). 3 instructions per 32 codes instead of per 16; the
// scales stay f32. Groups shorter than a step (16, 32 or 64 codes) put
// nibbles i and i + 4 in two groups: their table (twoGroupPairTable) holds
// the first group's dequantized values, (value - zero-point) * scale
// rounded to bf16, in entries 0..15 and the second's in 16..31, and each
// index is (words >> 4i) & 15 with bit 4 set in the odd 16-bit lanes; the
// sums then run on across groups (one more instruction per 32 codes; warm,
// two threads, 4096 x 4096 bf16 model at M = 16: g32 1.44 -> 0.95 ms, g64
// 1.40 -> 0.99 ms, NF4 g64 1.41 -> 1.00 ms, against 0.83 for g128). With
// avx512bf16 the same holds for bf16 activations without bf16-products:
// rounding them to bf16 changes nothing.
//
// Weight-only matmuls with many activation rows are bound by multiplies,
// not by the weight stream: when the codes decode to consecutive k (lane
// words, 8-bit codes) and N splits into whole column tiles, the op also gets
// the decode-then-GEMM kernel of DecodedGemmKernel.cpp (weights dequantized
// block by block into a task buffer through decodeRowInto, broadcast
// against vectors of transposed activation rows), chosen at run time by an
// scf.if on M >= gemm-min-rows (at compile time for a static M). Both
// kernels read the same repacked weights.
//
// lowbit.matmul with i8 x i8 codes (symmetric, per-row or per-tensor
// scales, f32 result) becomes the same structure on i32 lanes
// (IntStreamingKernel.cpp, loops shared through StreamingLoops.h): with VNNI
// (vnni=true) lowbit.dot_u8s8 (vpdpbusd) on activations made unsigned by
// +128, corrected by 128 * sum_k w[n, k] computed from the constant weight
// at compile time; otherwise (at 4, 8 or 16 lanes) codes sign-extended to
// i16 whose pairs of products lowbit.dot_i16 (pmaddwd) adds to the i32
// lanes, steps of 2 * VL codes (vpmaddubsw would take the u8 codes as they
// are, but its i16 pair sums saturate for u8 x s8). Integer sums are
// exact, so these results equal the linalg lowering's bit for bit.
//
// A float linalg.matmul x @ W with a constant W [K, N] and a zero-filled
// accumulator (float models, output heads kept in f32) becomes the panel
// kernel of PanelKernels.cpp when N is a multiple of the lanes (x and W in
// bf16 or f16 too: W's panels kept in its type and widened to f32 after
// each load, x once per call, the f32 sums rounded once to a 16-bit result,
// where the linalg lowering rounds every partial sum to it; with
// avx512bf16 or bf16-products a bf16 one in panels of bf16 pairs of k, by
// vdpbf16ps): W packed into
// column panels at compile time, outer-product register tiles. Otherwise it
// becomes the kernel above without decoding: W is transposed at compile time
// into a new [N, K] resource constant, the offline repacking that lets each
// weight row stream once. Other plain linalg.matmuls get their loops
// reordered from (m, n, k) to (m, k, n), which keeps every output's summation
// order (see interchangeMatmul).
//
// Long K: the float kernel reads K in blocks of about 1024 values and the
// W8A8 kernel in blocks of about 2048 codes, outermost in each task, so that
// the block's slices of the few weight rows a step reads stay in L1 while
// the task's activation rows pass (without them the weight rows of K = 4096
// or more were re-read from L2 for every block of activation rows). Each
// float block's lane sums are added to y (which starts at zero); the W8A8
// kernel adds its blocks' exact i32 sums in a tile of the task and applies
// the correction, scales and bias once at the end, so its results do not
// change.
//
//===----------------------------------------------------------------------===//

#include "CodeDecoding.h"
#include "DecodedGemmKernel.h"
#include "IntStreamingKernel.h"
#include "KernelSupport.h"
#include "PanelKernels.h"
#include "StreamingLoops.h"

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Quant/Formats.h"
#include "lowbit/Quant/HalfPrecision.h"
#include "lowbit/Quant/Packing.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace mlir::lowbit {
#define GEN_PASS_DEF_CPUKERNELSPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// Everything the kernel body needs about the op.
struct KernelInputs {
  Value x;
  Value codes;
  /// The "codes" are f32 weights [N, K] (a float matmul): no decoding and
  /// no scale.
  bool isFloat = false;
  bool packed = false;
  /// 4-bit codes repacked at compile time into a flat [N * K / 8] i32
  /// tensor in the layout of interleaveNibblesForLanes() (with
  /// `packed`): each step's nibble j is a vector of consecutive codes.
  bool laneWords = false;
  /// The codes are a flat [N * K] byte tensor (FP8 weights reinterpreted).
  bool flat = false;
  /// Weight rows repacked at compile time in the order the kernel reads
  /// them (interleaveRowSteps): tasks of `taskRows` rows, K blocks of
  /// `blockSteps` steps, groups of `interleave` rows side by side step by
  /// step, so that each task streams its weights front to back. 1: rows
  /// as they are. With more than 1, the codes are a flat tensor (8-bit
  /// integer codes too).
  int64_t interleave = 1;
  int64_t taskRows = 1;
  int64_t blockSteps = 1;
  bool isUnsigned = false;
  StorageFormat format = StorageFormat::I8;
  int64_t k = 0;
  int64_t n = 0;
  int64_t groupSize = 0;
  Granularity granularity = Granularity::Tensor;
  Param scale, zeroPoint;
  Value bias;
  /// E4M3FN codes: whether the constant codes may hold the NaN code
  /// (magnitude 0x7F), which the decoder must then select. The codes are
  /// scanned at compile time; unknown codes count as holding it.
  bool codesMayHoldNaN = true;
  /// E4M3FN codes decode to value(code) * 2^-8 (the f16 they are moved
  /// into, one multiply fewer a vector), and every scale is read times
  /// 2^8: a power of two moved from each value to its scale, so each
  /// product and each sum is the same while its magnitude stays above
  /// 2^-118 (below, the 2^-8 smaller one may round as an f32 subnormal).
  bool scalesCarryFP8Exponent = false;
  /// With bf16 products, the streaming kernel multiplies 4-bit lane words
  /// as bf16 pairs (streamsBF16Pairs): nibbles j and j + 4 of each lane
  /// word looked up as bf16 values minus zero-point (lowbit.permute_words32
  /// on the words as 32 16-bit lanes), the activations rounded to bf16 once
  /// per call into matching pairs, lowbit.dot_bf16.
  bool bf16Pairs = false;
};

/// Iterations of the dequant kernel's group loop (`blockCodes` codes each:
/// a group, or a step holding several) in one K block: K is read in blocks
/// of at most 2048 codes (one iteration if longer), so that the 8 KiB of
/// activations of a row they multiply stay in L1 while the task's weight
/// rows stream past (on the build machine, one thread, 4096 x 11008 i4 g128
/// GEMV with interleaved rows: 2.3 ms unblocked against 1.1 ms in blocks of
/// 4096; two threads from DRAM, fraction of the paired read at 4096 x 4096,
/// 11008 x 4096, 4096 x 11008: blocks of 4096 codes 0.81-0.83, 0.94,
/// 0.73-0.75; of 2048 0.79-0.81, 0.85, 0.81-0.83; of 1024 0.75, 0.81,
/// 0.82; of 8192 0.79, -, 0.63).
int64_t groupLoopBlocksPerKBlock(int64_t blockCodes) {
  return std::max<int64_t>(1, 2048 / blockCodes);
}

/// Whether every scale of `scales` times 2^8 is still a finite f32 (and
/// that product exact): f16 scales always; f32 and bf16 ones when their
/// values can be read here and are all below 2^119 in magnitude.
bool scalesStayFiniteTimes256(Attribute scales) {
  auto fits = [](const APFloat &value) {
    return std::fabs(value.convertToDouble()) < std::ldexp(1.0, 119);
  };
  if (auto scalar = dyn_cast_if_present<FloatAttr>(scales))
    return scalar.getType().isF16() || fits(scalar.getValue());
  auto elements = dyn_cast_if_present<ElementsAttr>(scales);
  if (!elements)
    return false;
  if (elements.getElementType().isF16())
    return true;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(scales))
    return llvm::all_of(dense.getValues<APFloat>(), fits);
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(scales)) {
    std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef();
    return values && llvm::all_of(*values, [](float value) {
             return std::fabs(value) < std::ldexp(1.0f, 119);
           });
  }
  return false;
}

/// Repacked weights (lane words, interleaved rows) already made in this
/// run of the pass, by the resource key of the weight they come from and
/// the layout (a weight read by several matmuls is repacked once).
using RepackCache = llvm::StringMap<DenseResourceElementsAttr>;

/// Checks that the kernel applies; fills `inputs` (creating the constants
/// it reads) only when it does.
LogicalResult matchKernel(OpBuilder &b, DequantMatmulOp op,
                          const KernelShape &shape, KernelInputs &inputs,
                          RepackCache &repackCache) {
  SchemeAttr scheme = op.getScheme();
  RankedTensorType xType = op.getInput().getType();
  RankedTensorType wType = op.getWeight().getType();
  // f32, f16 or bf16 activations (the pass extends 16-bit ones to f32);
  // the result has their type.
  Type activationType = xType.getElementType();
  if (xType.getRank() != 2 || wType.getRank() != 2 ||
      !(activationType.isF32() || activationType.isF16() ||
        activationType.isBF16()) ||
      op.getType().getElementType() != activationType)
    return failure();
  if (op.getScaleBlockScalesAttr())
    return failure();
  bool fp8 = scheme.getFormat() == StorageFormat::F8E4M3FN ||
             scheme.getFormat() == StorageFormat::F8E5M2;
  if (!scheme.isIntegerFormat() && !fp8 &&
      scheme.getFormat() != StorageFormat::NF4 &&
      scheme.getFormat() != StorageFormat::F4E2M1FN)
    return failure();
  if (Value bias = op.getBias())
    if (cast<RankedTensorType>(bias.getType()).getElementType() !=
        activationType)
      return failure();
  int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
  if (ShapedType::isDynamic(n) || ShapedType::isDynamic(k) ||
      xType.getDimSize(1) != k || k == 0)
    return failure();
  bool subByte = scheme.isSubByte();
  int64_t step = subByte ? 2 * shape.lanes : shape.lanes;
  switch (scheme.getGranularity()) {
  case Granularity::Tensor:
    break;
  case Granularity::Axis:
    if (scheme.getAxis() != 0)
      return failure();
    break;
  case Granularity::Group:
    if (scheme.getAxis() != 1)
      return failure();
    break;
  }
  int64_t groupSize =
      scheme.getGranularity() == Granularity::Group ? scheme.getGroupSize() : k;
  // Lane words: steps of 8 * VL codes; a group spans whole steps, or a
  // step whole groups of whole vectors.
  int64_t wordStep = 8 * shape.lanes;
  bool laneWords =
      subByte && shape.repack && k % wordStep == 0 &&
      (groupSize % wordStep == 0 ||
       (wordStep % groupSize == 0 && groupSize % shape.lanes == 0));
  if (!laneWords && (k % step != 0 || groupSize % step != 0))
    return failure();
  // Per tensor or per channel, K is cut into "groups" of 4096 codes (in
  // whole steps; the last may be shorter) that share the scale, so that the
  // kernel can read long K in blocks (KernelBuilder::blocksPerKBlock).
  if (scheme.getGranularity() != Granularity::Group) {
    int64_t groupUnit = laneWords ? wordStep : step;
    groupSize = std::min(k, 4096 / groupUnit * groupUnit);
  }
  // 4-bit codes must come as packed bytes (a dense_resource constant).
  Location loc = op.getLoc();
  CodeSource source = getCodeSource(b, loc, op.getWeight());
  // FP8 codes must come as bytes too (a dense_resource constant).
  if (subByte != source.packed || (fp8 && !source.flat)) {
    if (source.tensor != op.getWeight())
      source.tensor.getDefiningOp()->erase();
    return failure();
  }
  Value codes = source.tensor;
  // The offline repacking of constant weights: weight rows interleaved in
  // the groups the kernel reads together, and 4-bit codes as lane words.
  // New constants replace the codes (the original blob stays until nothing
  // else reads it).
  int64_t interleave = shape.repack ? weightRowGroup(n, shape) : 1;
  DenseResourceElementsAttr resource;
  AsmResourceBlob *blob = nullptr;
  if (matchPattern(op.getWeight(), m_Constant(&resource)))
    blob = resource.getRawHandle().getBlob();
  int64_t rowBytes = subByte ? k / 2 : k;
  if (blob && int64_t(blob->getData().size()) != n * rowBytes)
    blob = nullptr;
  if (laneWords && !blob) {
    laneWords = false;
    if (k % step != 0 || groupSize % step != 0) {
      if (source.tensor != op.getWeight())
        source.tensor.getDefiningOp()->erase();
      return failure();
    }
  }
  // 8-bit integer codes may come as a dense constant.
  std::optional<SmallVector<int8_t>> denseCodes;
  if (!blob && interleave > 1 && !subByte && !fp8) {
    denseCodes = getConstantCodes(op.getWeight());
    if (denseCodes && int64_t(denseCodes->size()) != n * k)
      denseCodes.reset();
  }
  if (!blob && !denseCodes)
    interleave = 1;
  // The kernel's traversal: tasks of rows, K blocks of whole group-loop
  // iterations, in steps of `unit` codes.
  int64_t unit = laneWords ? wordStep : step;
  int64_t blockCodes = groupSize * std::max<int64_t>(1, unit / groupSize);
  int64_t blockSteps = groupLoopBlocksPerKBlock(blockCodes) * blockCodes / unit;
  int64_t taskRows = interleave > 1 ? taskColumnBlock(n) : 1;
  if (laneWords || interleave > 1) {
    std::string key =
        blob ? resource.getRawHandle().getKey().str() : "lowbit.weight";
    // The layout depends on the shape the blob is viewed as.
    key += "." + std::to_string(n) + "x" + std::to_string(k);
    if (laneWords)
      key += ".lanes" + std::to_string(shape.lanes);
    if (interleave > 1)
      key += ".rows" + std::to_string(interleave) + "x" +
             std::to_string(taskRows) +
             (blockSteps * unit < k ? "x" + std::to_string(blockSteps) : "");
    Type element = laneWords ? b.getI32Type() : b.getI8Type();
    int64_t count = laneWords ? n * k / 8 : n * rowBytes;
    auto type = RankedTensorType::get({count}, element);
    // A weight read by several matmuls is repacked once.
    DenseResourceElementsAttr *cached = blob ? &repackCache[key] : nullptr;
    if (!cached || !*cached) {
      ArrayRef<char> bytes =
          blob ? blob->getData()
               : ArrayRef<char>(
                     reinterpret_cast<const char *>(denseCodes->data()),
                     denseCodes->size());
      std::vector<uint32_t> words;
      int64_t stepBytes = shape.lanes;
      if (laneWords) {
        words = ::lowbit::quant::interleaveNibblesForLanes(
            reinterpret_cast<const uint8_t *>(bytes.data()), n, k, shape.lanes);
        bytes = ArrayRef<char>(reinterpret_cast<const char *>(words.data()),
                               words.size() * sizeof(uint32_t));
        stepBytes = 4 * shape.lanes;
      }
      std::vector<char> rows;
      if (interleave > 1) {
        rows = ::lowbit::quant::interleaveRowSteps(bytes.data(), n, rowBytes,
                                                   stepBytes, interleave,
                                                   taskRows, blockSteps);
        bytes = rows;
      }
      auto attr = DenseResourceElementsAttr::get(
          type, key,
          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, /*align=*/64));
      if (!cached)
        codes = arith::ConstantOp::create(b, loc, type, attr);
      else
        *cached = attr;
    }
    if (cached)
      codes = arith::ConstantOp::create(b, loc, type, *cached);
    if (source.tensor != op.getWeight())
      source.tensor.getDefiningOp()->erase();
  }
  inputs.x = op.getInput();
  inputs.codes = codes;
  inputs.packed = source.packed;
  inputs.laneWords = laneWords;
  inputs.flat = source.flat;
  inputs.interleave = interleave;
  inputs.taskRows = taskRows;
  inputs.blockSteps = blockSteps;
  inputs.format = scheme.getFormat();
  inputs.isUnsigned = scheme.getFormat() == StorageFormat::U8 ||
                      scheme.getFormat() == StorageFormat::U4;
  inputs.k = k;
  inputs.n = n;
  inputs.granularity = scheme.getGranularity();
  inputs.groupSize = groupSize;
  inputs.scale = getParam(b, loc, op.getScalesAttr());
  if (!scheme.getSymmetric())
    inputs.zeroPoint = getParam(b, loc, op.getZeroPointsAttr());
  inputs.bias = op.getBias();
  if (scheme.getFormat() == StorageFormat::F8E4M3FN) {
    if (blob)
      inputs.codesMayHoldNaN = llvm::any_of(blob->getData(), [](char code) {
        return (static_cast<uint8_t>(code) & 0x7F) == 0x7F;
      });
    inputs.scalesCarryFP8Exponent =
        shape.lanes >= 8 && scheme.getSymmetric() &&
        scalesStayFiniteTimes256(op.getScalesAttr());
  }
  return success();
}

/// Emits the kernel for one op; `y0` is the [M, N] result to fill.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const KernelInputs &in,
                const KernelShape &shape)
      : b(b), loc(loc), in(in), shape(shape) {
    f32 = b.getF32Type();
    accType = VectorType::get({shape.lanes}, f32);
    step = in.laneWords ? 8 * shape.lanes
           : in.packed  ? 2 * shape.lanes
                        : shape.lanes;
  }

  /// A [M, `rowLength`] tensor of `elementType` filled step by step: for
  /// each activation row and each step k0 of K, `writeStep` returns `out`
  /// with that step's values written.
  Value buildActivationSteps(
      Value m, int64_t rowLength, Type elementType,
      function_ref<Value(Value row, Value k0, Value out)> writeStep) {
    Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
    SmallVector<OpFoldResult> sizes = {m, b.getIndexAttr(rowLength)};
    Value init = tensor::EmptyOp::create(b, loc, sizes, elementType);
    auto rowsLoop = scf::ForOp::create(
        b, loc, zero, m, one, ValueRange{init},
        [&](OpBuilder &, Location, Value row, ValueRange rowArgs) {
          auto stepsLoop = scf::ForOp::create(
              b, loc, zero, indexConst(b, loc, in.k), indexConst(b, loc, step),
              rowArgs, [&](OpBuilder &, Location, Value k0, ValueRange args) {
                scf::YieldOp::create(b, loc, writeStep(row, k0, args.front()));
              });
          scf::YieldOp::create(b, loc, stepsLoop.getResults());
        });
    return rowsLoop.getResult(0);
  }

  /// For 4-bit codes: x with each step of 2 * VL activations reordered as
  /// [even k.., odd k..] (once per call, M * K values), so that the kernel
  /// reads the lanes matching the low and high nibbles without shuffles.
  void splitActivations(Value m) {
    if (!in.packed || in.laneWords)
      return;
    split =
        buildActivationSteps(m, in.k, f32, [&](Value row, Value k0, Value out) {
          SmallVector<Value> halves = shuffleActivations(in.x, row, k0);
          Value k1 = offsetIndex(b, loc, k0, shape.lanes);
          out = vector::TransferWriteOp::create(b, loc, halves[0], out,
                                                ValueRange{row, k0},
                                                ArrayRef<bool>{true})
                    .getResult();
          return vector::TransferWriteOp::create(b, loc, halves[1], out,
                                                 ValueRange{row, k1},
                                                 ArrayRef<bool>{true})
              .getResult();
        });
  }

  /// With bf16 pairs: x as [M, K / 2] i32 words, each step of 8 * VL
  /// activations k0 + j * VL + l (j = 0..7, l < VL) stored as 4 vectors of
  /// VL words, word l of vector i holding bf16(x[k0 + i * VL + l]) (low
  /// half) and bf16(x[k0 + (i + 4) * VL + l]) (high half), nearest even:
  /// the pairs that nibbles i and i + 4 of a lane word multiply. Once per
  /// call, M * K values.
  void pairActivations(Value m) {
    if (!in.bf16Pairs)
      return;
    auto wordsType = VectorType::get({shape.lanes}, b.getI32Type());
    auto halfType = VectorType::get({shape.lanes}, b.getBF16Type());
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    pairs = buildActivationSteps(
        m, in.k / 2, b.getI32Type(), [&](Value row, Value k0, Value out) {
          SmallVector<Value> halves;
          for (int64_t j = 0; j < 8; ++j) {
            Value x = vector::TransferReadOp::create(
                b, loc, accType, in.x,
                ValueRange{row, offsetIndex(b, loc, k0, j * shape.lanes)},
                padding, ArrayRef<bool>{true});
            halves.push_back(arith::TruncFOp::create(b, loc, halfType, x));
          }
          Value half =
              arith::DivUIOp::create(b, loc, k0, indexConst(b, loc, 2));
          for (int64_t i = 0; i < 4; ++i) {
            Value words = vector::BitCastOp::create(
                b, loc, wordsType,
                vector::InterleaveOp::create(b, loc, halves[i], halves[i + 4]));
            out =
                vector::TransferWriteOp::create(
                    b, loc, words, out,
                    ValueRange{row, offsetIndex(b, loc, half, i * shape.lanes)},
                    ArrayRef<bool>{true})
                    .getResult();
          }
          return out;
        });
  }

  Value build(Value y0, Value m) {
    splitActivations(m);
    pairActivations(m);
    // Long K is read in blocks (outermost in each task), each block's
    // partial sums added to y, which starts at zero or at the bias.
    int64_t numKBlocks = llvm::divideCeil(numBlocks(), blocksPerKBlock());
    if (numKBlocks > 1 && in.bias) {
      y0 =
          linalg::BroadcastOp::create(b, loc, in.bias, y0, ArrayRef<int64_t>{0})
              .getResult()
              .front();
    } else if (numKBlocks > 1) {
      y0 = linalg::FillOp::create(b, loc,
                                  ValueRange{arith::ConstantOp::create(
                                      b, loc, b.getF32FloatAttr(0))},
                                  ValueRange{y0})
               .getResult(0);
    }
    // f32 activations: 4 bytes a value.
    return buildTaskLoops(
        b, loc, y0, m, in.n,
        /*activationRowBytes=*/in.k / numKBlocks * 4, shape,
        [&](Value tile, Value n, Value j, Value m0, int64_t rows, int64_t cols,
            Value kBlock) {
          return emitRows(tile, n, j, m0, rows, cols, kBlock);
        },
        numKBlocks);
  }

  /// The decoder of the decode-then-GEMM kernel (DecodeRowFn): the steps
  /// of weight row `n` in [kStart, kEnd), which lie in one K block of the
  /// layout, each dequantized (decodeScaledStep) and handed to `store`.
  Value decodeRowInto(Value buffer, Value n, Value kStart, Value kEnd,
                      StoreDecodedFn store) {
    currentFirstStep = {};
    int64_t blockSteps = in.blockSteps;
    if (in.interleave > 1 && blockSteps < elementsPerRow() / elementsPerStep())
      currentFirstStep = arith::MulIOp::create(
          b, loc,
          arith::DivUIOp::create(b, loc, kStart,
                                 indexConst(b, loc, blockSteps * step)),
          indexConst(b, loc, blockSteps));
    rowStarts.assign(1, {n, rowStart(n)});
    auto steps = scf::ForOp::create(
        b, loc, kStart, kEnd, indexConst(b, loc, step), ValueRange{buffer},
        [&](OpBuilder &, Location, Value k0, ValueRange args) {
          scf::YieldOp::create(
              b, loc, store(args.front(), k0, decodeScaledStep(n, k0)));
        });
    rowStarts.clear();
    currentFirstStep = {};
    return steps.getResult(0);
  }

private:
  /// The dequantized values of the step of weight row `n` at `k0`, as f32
  /// vectors of consecutive k: (code - zero-point) * scale, the linalg
  /// lowering's values. Lane words give 8 vectors (groups are whole
  /// vectors, so each vector reads one group's parameters), 8-bit codes
  /// one. Not for 4-bit bytes (their vectors are even and odd k).
  SmallVector<Value> decodeScaledStep(Value n, Value k0) {
    assert((!in.packed || in.laneWords) && !in.isFloat &&
           "consecutive codes only");
    int64_t vectors = in.laneWords ? 8 : 1;
    Value words = in.laneWords ? loadLaneWords(n, k0) : Value();
    SmallVector<Value> values;
    Value zeroPoint, scale;
    for (int64_t j = 0; j < vectors; ++j) {
      if (j == 0 || (j * shape.lanes) % in.groupSize == 0) {
        Value g = arith::DivUIOp::create(
            b, loc, offsetIndex(b, loc, k0, j * shape.lanes),
            indexConst(b, loc, in.groupSize));
        zeroPoint = subtrahend(n, g);
        scale = vector::BroadcastOp::create(b, loc, accType, readScale(n, g));
      }
      Value value = in.laneWords ? decodeNibble(words, j, zeroPoint)
                                 : decodeStep(n, k0, zeroPoint).front();
      values.push_back(arith::MulFOp::create(b, loc, value, scale));
    }
    return values;
  }

  /// Codes of one iteration of the group loop: a group, or a step of lane
  /// words holding several groups.
  int64_t blockCodes() const { return in.groupSize * subgroups(); }
  /// Iterations of the group loop over the whole of K.
  int64_t numBlocks() const { return llvm::divideCeil(in.k, blockCodes()); }
  /// Iterations of the group loop in one block of K (the float kernel's
  /// groups are its K blocks; groupLoopBlocksPerKBlock for the others).
  int64_t blocksPerKBlock() const {
    return in.isFloat ? 1 : groupLoopBlocksPerKBlock(blockCodes());
  }

  /// The scale of weight row `n`, group `g`, as an f32 scalar (times 2^8
  /// when the decoded FP8 values carry 2^-8).
  Value readScale(Value n, Value g) {
    Value scale = readParam(b, loc, in.scale, in.granularity, n, g);
    if (!in.scalesCarryFP8Exponent)
      return scale;
    return arith::MulFOp::create(
        b, loc, scale,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(256.0f)));
  }

  Value zeroVector() {
    return arith::ConstantOp::create(
        b, loc, accType,
        DenseElementsAttr::get(accType, b.getFloatAttr(f32, 0.0)));
  }

  Value multiplyAdd(Value lhs, Value rhs, Value acc) {
    return emitMultiplyAdd(b, loc, lhs, rhs, acc, shape.fma);
  }

  /// The codes of w[n, k0 .. k0 + step) as f32 vectors, minus `zeroPoint`
  /// (null or vector<VLxf32>): one vector for 8-bit codes; for 4-bit bytes
  /// the even-k codes, then the odd-k codes. (Lane words: loadLaneWords
  /// and decodeNibble.)
  SmallVector<Value> decodeStep(Value n, Value k0, Value zeroPoint) {
    Type i8 = b.getI8Type();
    auto bytesType = VectorType::get({shape.lanes}, i8);
    Value padding = arith::ConstantIntOp::create(b, loc, i8, 0);
    SmallVector<Value> codes;
    if (in.isFloat) {
      Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
      return {vector::TransferReadOp::create(b, loc, accType, in.codes,
                                             ValueRange{n, k0}, padding,
                                             ArrayRef<bool>{true})};
    }
    if (in.packed) {
      // A step of VL bytes: each holds codes k and k + 1 (low nibble
      // first) of the step's 2 VL columns.
      Value flat = stepIndex(n, k0);
      Value bytes = vector::TransferReadOp::create(b, loc, bytesType, in.codes,
                                                   ValueRange{flat}, padding,
                                                   ArrayRef<bool>{true});
      auto splat = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(
            b, loc, bytesType,
            DenseElementsAttr::get(bytesType, b.getIntegerAttr(i8, v)));
      };
      Value four = splat(4);
      if (lookupDecodes()) {
        // Nibbles as table indices 0..15, decoded below (integer nibbles
        // too once a variable permute exists: one permute per vector
        // instead of sign extension and conversion).
        codes.push_back(arith::AndIOp::create(b, loc, bytes, splat(15)));
        codes.push_back(arith::ShRUIOp::create(b, loc, bytes, four));
        for (Value &code : codes) {
          code = lookupNibbles(code);
          if (zeroPoint)
            code = arith::SubFOp::create(b, loc, code, zeroPoint);
        }
        return codes;
      }
      if (in.isUnsigned) {
        codes.push_back(arith::AndIOp::create(b, loc, bytes, splat(15)));
        codes.push_back(arith::ShRUIOp::create(b, loc, bytes, four));
      } else {
        codes.push_back(arith::ShRSIOp::create(
            b, loc, arith::ShLIOp::create(b, loc, bytes, four), four));
        codes.push_back(arith::ShRSIOp::create(b, loc, bytes, four));
      }
    } else if (in.flat) {
      // FP8: a step of VL bytes, one code each.
      Value flat = stepIndex(n, k0);
      Value bytes = vector::TransferReadOp::create(b, loc, bytesType, in.codes,
                                                   ValueRange{flat}, padding,
                                                   ArrayRef<bool>{true});
      return {decodeFP8(bytes)};
    } else if (in.interleave > 1) {
      codes.push_back(vector::TransferReadOp::create(
          b, loc, bytesType, in.codes, ValueRange{stepIndex(n, k0)}, padding,
          ArrayRef<bool>{true}));
    } else {
      codes.push_back(vector::TransferReadOp::create(
          b, loc, bytesType, in.codes, ValueRange{n, k0}, padding,
          ArrayRef<bool>{true}));
    }
    for (Value &code : codes) {
      // Masked nibbles are non-negative, so sitofp suits u4 too.
      if (in.isUnsigned && !in.packed)
        code = arith::UIToFPOp::create(b, loc, accType, code);
      else
        code = arith::SIToFPOp::create(b, loc, accType, code);
      if (zeroPoint)
        code = arith::SubFOp::create(b, loc, code, zeroPoint);
    }
    return codes;
  }

  bool isTableFormat() const {
    return in.format == StorageFormat::NF4 ||
           in.format == StorageFormat::F4E2M1FN;
  }

  /// 4-bit codes become values by a lookup in a 16-entry table vector:
  /// always for NF4 / FP4; for integers with 16 lanes (AVX-512's vpermps
  /// reads all 16 entries: warm 4096 x 4096 i4 g128 GEMV on one thread
  /// 0.37 ms instead of 0.52 ms by conversion; with 8 lanes two permutes and
  /// a select lose to conversion, 1.31 ms against 1.22 ms).
  bool lookupDecodes() const { return isTableFormat() || shape.lanes >= 16; }

  /// Lane words looked up by vpermps (16 lanes) in a table per weight row
  /// and group that holds the format's 16 values minus the zero-point times
  /// the scale (scaledTable): the products then add straight into the
  /// row's sums, which run on across groups, instead of each group's sums
  /// being scaled into them (an add and a multiply-add per group and weight
  /// row, and a dependency chain that restarts every group) and each value
  /// having its zero-point subtracted. The table's entries are the linalg
  /// lowering's dequantized values, (value - zero-point) * scale in f32.
  /// (Warm, two threads, 4096 x 4096 GEMV: i4 g128 0.247 ms against 0.214
  /// for the same kernel per channel, whose one group spans K, before.)
  bool scalesInTables() const {
    return in.laneWords && !in.bf16Pairs && !in.isFloat && lookupDecodes() &&
           shape.lanes == 16;
  }

  /// The lookup table of weight row `n`, group `g` (scalesInTables): the
  /// format's 16 values, minus the zero-point, times the scale.
  Value scaledTable(Value n, Value g) {
    Value table = tableVector();
    if (Value zeroPoint = subtrahend(n, g))
      table = arith::SubFOp::create(b, loc, table, zeroPoint);
    return arith::MulFOp::create(
        b, loc, table,
        vector::BroadcastOp::create(b, loc, accType, readScale(n, g)));
  }

  /// The zero-point of weight row `n`, group `g`, as a vector to subtract
  /// from decoded values; null for symmetric schemes.
  Value subtrahend(Value n, Value g) {
    if (!in.zeroPoint.scalar && !in.zeroPoint.tensor)
      return {};
    return vector::BroadcastOp::create(
        b, loc, accType, readParam(b, loc, in.zeroPoint, in.granularity, n, g));
  }

  /// Elements of the flat code tensor in a weight row and in a step: lane
  /// words K / 8 and VL words, 4-bit bytes K / 2 and VL bytes, 8-bit codes
  /// K and VL bytes.
  int64_t elementsPerRow() const {
    return in.laneWords ? in.k / 8 : in.packed ? in.k / 2 : in.k;
  }
  int64_t elementsPerStep() const { return shape.lanes; }

  /// Where the steps of weight row `n` in the K block being read start in
  /// the flat code tensor, with R = elementsPerRow(), S = elementsPerStep():
  /// n * R for rows as they are, else the place interleaveRowSteps gives the
  /// block's first step (T = in.taskRows, C = in.interleave, B =
  /// in.blockSteps, kb the K block):
  ///   (n / T) * T * R + kb * B * T * S + ((n % T) / C) * C * stepsIn(kb) * S
  ///   + (n % C) * S.
  /// Step s of the block is then C * S (or S for rows as they are) further
  /// per step (stepIndex). emitRows computes it once per weight row and K
  /// block, outside the loops over steps.
  Value rowStart(Value n) {
    auto constant = [&](int64_t v) { return indexConst(b, loc, v); };
    auto mul = [&](Value lhs, int64_t rhs) -> Value {
      return arith::MulIOp::create(b, loc, lhs, constant(rhs));
    };
    auto add = [&](Value lhs, Value rhs) -> Value {
      return arith::AddIOp::create(b, loc, lhs, rhs);
    };
    int64_t perRow = elementsPerRow(), perStep = elementsPerStep();
    int64_t group = in.interleave, task = in.taskRows;
    if (group == 1)
      return mul(n, perRow);
    int64_t steps = perRow / perStep, blockSteps = in.blockSteps;
    Value taskStart =
        mul(arith::DivUIOp::create(b, loc, n, constant(task)), task * perRow);
    Value inTask = arith::RemUIOp::create(b, loc, n, constant(task));
    Value groupNumber = arith::DivUIOp::create(b, loc, inTask, constant(group));
    Value rowOffset =
        mul(arith::RemUIOp::create(b, loc, n, constant(group)), perStep);
    Value blockStart = constant(0);
    Value stepsIn = constant(std::min(blockSteps, steps));
    if (currentFirstStep) {
      blockStart = mul(currentFirstStep, task * perStep);
      stepsIn = arith::MinUIOp::create(
          b, loc, constant(blockSteps),
          arith::SubIOp::create(b, loc, constant(steps), currentFirstStep));
    }
    Value groupStart = arith::MulIOp::create(
        b, loc, mul(groupNumber, group * perStep), stepsIn);
    return add(add(taskStart, blockStart), add(groupStart, rowOffset));
  }

  /// Where the step of weight row `n` starting at column `k0` begins in the
  /// flat code tensor: rowStart(n) (precomputed by emitRows when it can) plus
  /// (k0 / step - the block's first step) * C * elementsPerStep().
  Value stepIndex(Value n, Value k0) {
    Value start;
    for (auto [row, rowBegin] : rowStarts)
      if (row == n)
        start = rowBegin;
    if (!start)
      start = rowStart(n);
    Value stepNumber =
        arith::DivUIOp::create(b, loc, k0, indexConst(b, loc, step));
    if (currentFirstStep)
      stepNumber = arith::SubIOp::create(b, loc, stepNumber, currentFirstStep);
    return arith::AddIOp::create(
        b, loc, start,
        arith::MulIOp::create(
            b, loc, stepNumber,
            indexConst(b, loc, in.interleave * elementsPerStep())));
  }

  /// The lane words of the step of weight row `n` starting at column `k0`:
  /// one vector load of VL words (8 * VL codes), word (n * K + k0) / 8 first
  /// (rows as they are).
  Value loadLaneWords(Value n, Value k0) {
    Type i32 = b.getI32Type();
    auto wordsType = VectorType::get({shape.lanes}, i32);
    Value flat = stepIndex(n, k0);
    Value padding = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value words = vector::TransferReadOp::create(b, loc, wordsType, in.codes,
                                                 ValueRange{flat}, padding,
                                                 ArrayRef<bool>{true});
    prefetchAhead(flat);
    return words;
  }

  /// Prefetches the flat code tensor a page (4 KiB) past element `flat`,
  /// clamped to its last element. The stream of a task's codes is
  /// contiguous (interleaved rows), and while the core decodes, the
  /// hardware prefetchers do not cross into the next page in time: warm,
  /// two threads, 4096 x 4096 i4 g128 GEMV from DRAM with the threads kept
  /// awake, 0.206 to 0.215 ms without and 0.176 to 0.180 ms with (2 KiB
  /// ahead: slower; 8 and 16 KiB: the same as 4).
  void prefetchAhead(Value flat) {
    auto type = cast<RankedTensorType>(in.codes.getType());
    if (type.getRank() != 1 || type.isDynamicDim(0))
      return;
    int64_t elementBytes =
        std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
    int64_t ahead = 4096 / elementBytes;
    if (type.getDimSize(0) <= ahead)
      return;
    Value index =
        arith::MinUIOp::create(b, loc, offsetIndex(b, loc, flat, ahead),
                               indexConst(b, loc, type.getDimSize(0) - 1));
    PrefetchOp::create(b, loc, in.codes, ValueRange{index});
  }

  /// Nibble j of every lane word: the values of the codes of columns
  /// k0 + j * VL .. k0 + (j + 1) * VL - 1, minus `zeroPoint` (or null).
  /// (words >> 4j) & 15 as table indices, or converted (i4 sign-extended
  /// by (words << (28 - 4j)) >> 28, arithmetic). With a `table` (16 lanes,
  /// scaledTable), its entries instead: the values dequantized.
  Value decodeNibble(Value words, int64_t j, Value zeroPoint,
                     Value table = {}) {
    Type i32 = b.getI32Type();
    auto wordsType = cast<VectorType>(words.getType());
    auto splat = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          b, loc, wordsType,
          DenseElementsAttr::get(wordsType, b.getIntegerAttr(i32, v)));
    };
    Value nibbles;
    if (lookupDecodes() && shape.lanes == 16) {
      // vpermps reads the low 4 bits of each index: no mask.
      Value shifted =
          j == 0 ? words : arith::ShRUIOp::create(b, loc, words, splat(4 * j));
      Value value = Permute16Op::create(b, loc, accType,
                                        table ? table : tableVector(), shifted);
      if (zeroPoint && !table)
        value = arith::SubFOp::create(b, loc, value, zeroPoint);
      return value;
    }
    if (in.format == StorageFormat::I4 && !lookupDecodes()) {
      Value high =
          j == 7 ? words
                 : arith::ShLIOp::create(b, loc, words, splat(28 - 4 * j));
      nibbles = arith::ShRSIOp::create(b, loc, high, splat(28));
    } else {
      Value shifted =
          j == 0 ? words : arith::ShRUIOp::create(b, loc, words, splat(4 * j));
      nibbles = arith::AndIOp::create(b, loc, shifted, splat(15));
    }
    Value value =
        lookupDecodes()
            ? lookupNibbles(nibbles)
            : arith::SIToFPOp::create(b, loc, accType, nibbles).getResult();
    if (zeroPoint)
      value = arith::SubFOp::create(b, loc, value, zeroPoint);
    return value;
  }

  /// Groups in one step: above 1 only when a step of lane words spans
  /// several groups (then the group loop walks steps, not groups).
  int64_t subgroups() const {
    return std::max<int64_t>(1, step / in.groupSize);
  }

  /// The format's 16 values as a constant vector<16xf32>.
  Value tableVector() {
    std::array<float, 16> table = nibbleTable();
    auto type = VectorType::get({16}, f32);
    return arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef<float>(table)));
  }

  /// The value of each 4-bit code of the format.
  std::array<float, 16> nibbleTable() const {
    std::array<float, 16> table;
    for (unsigned code = 0; code < 16; ++code) {
      switch (in.format) {
      case StorageFormat::NF4:
        table[code] = ::lowbit::quant::nf4Levels()[code];
        break;
      case StorageFormat::F4E2M1FN:
        table[code] = ::lowbit::quant::decodeFP4E2M1(code);
        break;
      case StorageFormat::I4:
        // Two's complement nibbles.
        table[code] = code < 8 ? float(code) : float(int(code) - 16);
        break;
      default:
        table[code] = float(code);
        break;
      }
    }
    return table;
  }

  /// 4-bit codes (vector<VLxi8> or, from lane words, vector<VLxi32>, values
  /// 0..15) as the f32 values of
  /// the format's 16-entry table, bit for bit. With 8 or more lanes, lane
  /// extracts from constant table vectors (variable permutes; warm 4096 x
  /// 4096 NF4 GEMV on one thread: 0.35 ms instead of 1.44 ms for the tree
  /// below at 16 lanes, 1.32 instead of 4.53 ms at 8). Narrower vectors
  /// (the x86-64 baseline has no variable permute) take a binary tree of
  /// selects on the four bits (15 selects of splat constants).
  Value lookupNibbles(Value nibbles) {
    std::array<float, 16> table = nibbleTable();
    auto bytesType = cast<VectorType>(nibbles.getType());
    Type i8 = bytesType.getElementType();
    auto splatByte = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          b, loc, bytesType,
          DenseElementsAttr::get(bytesType, b.getIntegerAttr(i8, v)));
    };
    if (shape.lanes >= 8) {
      // One lookup per lane from a constant table vector: x86 LLVM turns a
      // vector built from extracts at variable positions into one variable
      // permute (vpermps). 16 lanes: the whole table; 8 lanes (a permute
      // covers 8 entries): both halves by the low 3 bits, bit 3 selects.
      int64_t width = std::min<int64_t>(shape.lanes, 16);
      auto permute = [&](ArrayRef<float> part, Value indices) -> Value {
        auto tableType = VectorType::get({width}, f32);
        Value tableVector = arith::ConstantOp::create(
            b, loc, tableType, DenseElementsAttr::get(tableType, part));
        SmallVector<Value> lanes;
        for (int64_t i = 0; i < shape.lanes; ++i) {
          Value code =
              vector::ExtractOp::create(b, loc, indices, ArrayRef<int64_t>{i});
          Value index =
              arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code);
          lanes.push_back(vector::ExtractOp::create(
              b, loc, tableVector, ArrayRef<OpFoldResult>{index}));
        }
        return vector::FromElementsOp::create(b, loc, accType, lanes);
      };
      if (width == 16)
        return permute(table, nibbles);
      Value low = arith::AndIOp::create(b, loc, nibbles, splatByte(7));
      Value high = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(b, loc, nibbles, splatByte(8)), splatByte(0));
      return arith::SelectOp::create(
          b, loc, high, permute(ArrayRef(table).drop_front(8), low),
          permute(ArrayRef(table).take_front(8), low));
    }
    Value zeroByte = splatByte(0);
    SmallVector<Value> level;
    for (float value : table)
      level.push_back(arith::ConstantOp::create(
          b, loc, accType,
          DenseElementsAttr::get(accType, b.getFloatAttr(f32, value))));
    for (int64_t bit = 0; level.size() > 1; ++bit) {
      Value set = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne,
          arith::AndIOp::create(b, loc, nibbles, splatByte(1 << bit)),
          zeroByte);
      SmallVector<Value> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(
            arith::SelectOp::create(b, loc, set, level[i + 1], level[i]));
      level = std::move(next);
    }
    return level.front();
  }

  /// FP8 bytes (vector<VLxi8>) as f32, exactly as the format defines them
  /// (docs/Numerics.md). With 8 or more lanes through f16 (below; warm
  /// 4096 x 4096 E4M3 GEMV on one thread: 0.80 ms instead of 1.02 ms at
  /// x86-64-v4, 1.58 instead of 2.24 ms at x86-64-v3); otherwise by moving
  /// the fields into an f32 on i32 lanes:
  ///   normal    (E > 0):  bits = (S.E.M << (23 - mb)) + ((127 - bias) << 23)
  ///   subnormal (E == 0): M * 2^(1 - bias - mb)  (uitofp, then an exact
  ///                       power-of-two multiply; no f32 denormal is formed)
  ///   E4M3FN: magnitude 0x7F is NaN; E5M2: E = 31 is inf (M = 0) or NaN,
  /// then the sign bit is ORed in (so code 0x80 is -0.0, as the table has).
  /// E4M3FN's NaN is selected only when the constant codes hold it, and
  /// through f16 its 2^8 goes to the scales (scalesCarryFP8Exponent): a
  /// vector of 16 codes costs an extension, a shift, an AND and a
  /// conversion instead of also a multiply, a compare and a select.
  Value decodeFP8(Value bytes) {
    bool e4m3 = in.format == StorageFormat::F8E4M3FN;
    int64_t mantissaBits = e4m3 ? 3 : 2, bias = e4m3 ? 7 : 15;
    Type i32 = b.getI32Type();
    auto intType = VectorType::get({shape.lanes}, i32);
    auto splatInt = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          b, loc, intType,
          DenseElementsAttr::get(intType, b.getIntegerAttr(i32, v)));
    };
    auto splatFloat = [&](float v) -> Value {
      return arith::ConstantOp::create(
          b, loc, accType,
          DenseElementsAttr::get(accType, b.getFloatAttr(f32, v)));
    };
    if (shape.lanes >= 8) {
      // Through f16 (vcvtph2ps with F16C, part of x86-64-v3 and -v4, exact
      // for every f16 including subnormals, infinities and NaNs). E5M2 is
      // the high byte of an f16. E4M3FN's sign, then exponent and mantissa
      // moved down one bit, is an f16 of value(code) * 2^-8 (subnormals
      // included: m * 2^-17), scaled back by an exact multiply unless the
      // scales carry the 2^8 (scalesCarryFP8Exponent).
      Type i16 = b.getI16Type();
      auto halfType = VectorType::get({shape.lanes}, i16);
      auto splatHalf = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(
            b, loc, halfType,
            DenseElementsAttr::get(halfType, b.getIntegerAttr(i16, v)));
      };
      Value bits;
      if (e4m3) {
        Value wide16 = arith::ExtSIOp::create(b, loc, halfType, bytes);
        bits = arith::AndIOp::create(
            b, loc, arith::ShLIOp::create(b, loc, wide16, splatHalf(7)),
            splatHalf(0xBF80));
      } else {
        bits = arith::ShLIOp::create(
            b, loc, arith::ExtUIOp::create(b, loc, halfType, bytes),
            splatHalf(8));
      }
      auto f16Type = VectorType::get({shape.lanes}, b.getF16Type());
      Value value = arith::ExtFOp::create(
          b, loc, accType,
          arith::BitcastOp::create(b, loc, f16Type, bits).getResult());
      if (!e4m3)
        return value;
      if (!in.scalesCarryFP8Exponent)
        value = arith::MulFOp::create(b, loc, value, splatFloat(256.0f));
      if (!in.codesMayHoldNaN)
        return value;
      // Magnitude 0x7F (bits 0x3F80 after the move) is NaN.
      Value isNaN = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::AndIOp::create(b, loc, bits, splatHalf(0x3F80)),
          splatHalf(0x3F80));
      return arith::SelectOp::create(
          b, loc, isNaN, splatFloat(std::numeric_limits<float>::quiet_NaN()),
          value);
    }
    // Sign-extended, so bit 31 is the sign bit.
    Value wide = arith::ExtSIOp::create(b, loc, intType, bytes);
    Value magnitude = arith::AndIOp::create(b, loc, wide, splatInt(0x7F));
    Value sign = arith::AndIOp::create(
        b, loc, wide, splatInt(std::numeric_limits<int32_t>::min()));
    Value normalBits = arith::AddIOp::create(
        b, loc,
        arith::ShLIOp::create(b, loc, magnitude, splatInt(23 - mantissaBits)),
        splatInt((127 - bias) << 23));
    Value normal = arith::BitcastOp::create(b, loc, accType, normalBits);
    Value subnormal = arith::MulFOp::create(
        b, loc, arith::UIToFPOp::create(b, loc, accType, magnitude),
        splatFloat(std::ldexp(1.0f, int(1 - bias - mantissaBits))));
    Value isSubnormal =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, magnitude,
                              splatInt(int64_t(1) << mantissaBits));
    Value value =
        arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
    Value nan = splatFloat(std::numeric_limits<float>::quiet_NaN());
    if (e4m3 && in.codesMayHoldNaN) {
      Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          magnitude, splatInt(0x7F));
      value = arith::SelectOp::create(b, loc, isNaN, nan, value);
    } else if (!e4m3) {
      Value isSpecial = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                              magnitude, splatInt(0x7C));
      Value isInf = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          magnitude, splatInt(0x7C));
      Value special = arith::SelectOp::create(
          b, loc, isInf, splatFloat(std::numeric_limits<float>::infinity()),
          nan);
      value = arith::SelectOp::create(b, loc, isSpecial, special, value);
    }
    Value bits = arith::OrIOp::create(
        b, loc, arith::BitcastOp::create(b, loc, intType, value), sign);
    return arith::BitcastOp::create(b, loc, accType, bits);
  }

  /// The activations x[m, k0 .. k0 + step) matching decodeStep's vectors.
  SmallVector<Value> readActivations(Value m, Value k0) {
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    if (!in.packed)
      return {vector::TransferReadOp::create(b, loc, accType, in.x,
                                             ValueRange{m, k0}, padding,
                                             ArrayRef<bool>{true})};
    Value k1 =
        arith::AddIOp::create(b, loc, k0, indexConst(b, loc, shape.lanes));
    return {vector::TransferReadOp::create(b, loc, accType, split,
                                           ValueRange{m, k0}, padding,
                                           ArrayRef<bool>{true}),
            vector::TransferReadOp::create(b, loc, accType, split,
                                           ValueRange{m, k1}, padding,
                                           ArrayRef<bool>{true})};
  }

  /// x[m, k0 .. k0 + 2 * VL) of `source` as its even and its odd lanes.
  SmallVector<Value> shuffleActivations(Value source, Value m, Value k0) {
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    auto type = VectorType::get({step}, f32);
    Value x = vector::TransferReadOp::create(
        b, loc, type, source, ValueRange{m, k0}, padding, ArrayRef<bool>{true});
    SmallVector<int64_t> even, odd;
    for (int64_t i = 0; i < shape.lanes; ++i) {
      even.push_back(2 * i);
      odd.push_back(2 * i + 1);
    }
    return {vector::ShuffleOp::create(b, loc, x, x, even),
            vector::ShuffleOp::create(b, loc, x, x, odd)};
  }

  /// The sum of the lanes as a fixed tree (halves added until one lane
  /// is left), so the result does not depend on how the target splits or
  /// reduces vectors: the same vector width gives the same bits everywhere.
  Value reduceLanes(Value vector) {
    for (int64_t width = shape.lanes; width > 1; width /= 2) {
      int64_t half = width / 2;
      Value low = vector::ExtractStridedSliceOp::create(
          b, loc, vector, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{half},
          ArrayRef<int64_t>{1});
      Value high = vector::ExtractStridedSliceOp::create(
          b, loc, vector, ArrayRef<int64_t>{half}, ArrayRef<int64_t>{half},
          ArrayRef<int64_t>{1});
      vector = arith::AddFOp::create(b, loc, low, high);
    }
    return vector::ExtractOp::create(b, loc, vector, ArrayRef<int64_t>{0});
  }

  /// For lane words: the products of vectors hBegin .. hEnd - 1 of a step
  /// (nibbles of `words`, one per weight row) with the activation rows,
  /// added to `sums` [(r * cols + c) * parts + h % parts]; with `scales`
  /// (one vector per weight row), the decoded values are scaled first; with
  /// `tables` (one scaledTable per weight row), they are looked up there
  /// (dequantized; `zeroPoints` unused). Vector
  /// by vector, so that only `cols` decoded vectors and one activation vector
  /// are live at a time.
  void emitLaneWordProducts(ArrayRef<Value> words, Value k0, int64_t hBegin,
                            int64_t hEnd, ArrayRef<Value> rowIndex,
                            ArrayRef<Value> zeroPoints, int64_t parts,
                            SmallVectorImpl<Value> &sums,
                            ArrayRef<Value> scales = {},
                            ArrayRef<Value> tables = {}) {
    int64_t cols = words.size();
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    for (int64_t h = hBegin; h < hEnd; ++h) {
      SmallVector<Value> codes;
      for (int64_t c = 0; c < cols; ++c) {
        codes.push_back(
            tables.empty()
                ? decodeNibble(words[c], h, zeroPoints[c])
                : decodeNibble(words[c], h, /*zeroPoint=*/{}, tables[c]));
        if (!scales.empty())
          codes.back() = arith::MulFOp::create(b, loc, codes.back(), scales[c]);
      }
      Value k = offsetIndex(b, loc, k0, h * shape.lanes);
      for (size_t r = 0; r < rowIndex.size(); ++r) {
        Value x = vector::TransferReadOp::create(b, loc, accType, in.x,
                                                 ValueRange{rowIndex[r], k},
                                                 padding, ArrayRef<bool>{true});
        for (int64_t c = 0; c < cols; ++c) {
          Value &sum = sums[(r * cols + c) * parts + h % parts];
          sum = multiplyAdd(x, codes[c], sum);
        }
      }
    }
  }

  /// The table of bf16 pairs for one weight row and group: the format's
  /// 16 values minus `zeroPoint` (a broadcast f32 vector, or null), rounded
  /// to bf16, twice (vpermw reads 5 index bits, the fifth being the next
  /// nibble's lowest). Exact for 4-bit integers with integer zero-points.
  Value pairTable(Value zeroPoint) {
    auto lanes16 = VectorType::get({2 * shape.lanes}, b.getI16Type());
    SmallVector<int64_t> twice;
    for (int64_t e = 0; e < 2 * shape.lanes; ++e)
      twice.push_back(e % 16);
    if (!zeroPoint) {
      std::array<float, 16> values = nibbleTable();
      SmallVector<int16_t> table;
      for (int64_t e : twice)
        table.push_back(static_cast<int16_t>(
            ::lowbit::quant::floatToBFloat16Bits(values[e])));
      return arith::ConstantOp::create(
          b, loc, lanes16,
          DenseElementsAttr::get(lanes16, ArrayRef<int16_t>(table)));
    }
    Value values = arith::TruncFOp::create(
        b, loc, VectorType::get({16}, b.getBF16Type()),
        arith::SubFOp::create(b, loc, tableVector(), zeroPoint));
    return vector::BitCastOp::create(
        b, loc, lanes16,
        vector::ShuffleOp::create(b, loc, values, values, twice));
  }

  /// The table of bf16 pairs for weight row `n` when a pair's nibbles fall
  /// in two groups (groups shorter than a step): entries 0..15 the format's
  /// values dequantized in group `low` ((value - zero-point) * scale, in
  /// f32), 16..31 in group `high`, each rounded to bf16, as the
  /// decode-then-GEMM kernel rounds its dequantized weights with bf16
  /// products.
  Value twoGroupPairTable(Value n, Value low, Value high) {
    auto halfType = VectorType::get({16}, b.getBF16Type());
    Value lowValues =
        arith::TruncFOp::create(b, loc, halfType, scaledTable(n, low));
    Value highValues =
        arith::TruncFOp::create(b, loc, halfType, scaledTable(n, high));
    SmallVector<int64_t> both;
    for (int64_t e = 0; e < 32; ++e)
      both.push_back(e);
    return vector::BitCastOp::create(
        b, loc, VectorType::get({2 * shape.lanes}, b.getI16Type()),
        vector::ShuffleOp::create(b, loc, lowValues, highValues, both));
  }

  /// For lane words as bf16 pairs: the products of a whole step (`words`,
  /// one vector per weight row, `tables` their pairTable) with the
  /// activation rows' pairs, added to `sums` [(r * cols + c) * parts +
  /// i % parts]. Pair vector i of a weight row is its words as 32 16-bit
  /// lanes shifted right by 4i and looked up in its table: lane 2l holds
  /// nibble i of word l, lane 2l + 1 nibble i + 4, as pairActivations
  /// pairs x.
  /// With `twoGroups`, `tables(i, c)` is a two-group pair table
  /// (twoGroupPairTable) and each index gets the nibble alone in its low 4
  /// bits and the half-lane in bit 4: 0 for nibble i (the first 16 entries),
  /// 16 for nibble i + 4 (the last 16).
  void emitLaneWordPairProducts(
      ArrayRef<Value> words, function_ref<Value(int64_t i, int64_t c)> tables,
      Value k0, ArrayRef<Value> rowIndex, int64_t parts,
      SmallVectorImpl<Value> &sums, bool twoGroups = false) {
    int64_t cols = words.size();
    Type i16 = b.getI16Type(), i32 = b.getI32Type();
    auto lanes16 = VectorType::get({2 * shape.lanes}, i16);
    auto pairType = VectorType::get({2 * shape.lanes}, b.getBF16Type());
    auto wordsType = VectorType::get({shape.lanes}, i32);
    SmallVector<Value> halves;
    for (Value w : words)
      halves.push_back(vector::BitCastOp::create(b, loc, lanes16, w));
    Value half = arith::DivUIOp::create(b, loc, k0, indexConst(b, loc, 2));
    Value padding = arith::ConstantIntOp::create(b, loc, i32, 0);
    Value nibbleMask, halfBit;
    if (twoGroups) {
      nibbleMask = arith::ConstantOp::create(
          b, loc, lanes16,
          DenseElementsAttr::get(lanes16, b.getIntegerAttr(i16, 15)));
      SmallVector<int16_t> bits;
      for (int64_t e = 0; e < 2 * shape.lanes; ++e)
        bits.push_back(e % 2 == 0 ? 0 : 16);
      halfBit = arith::ConstantOp::create(
          b, loc, lanes16,
          DenseElementsAttr::get(lanes16, ArrayRef<int16_t>(bits)));
    }
    for (int64_t i = 0; i < 4; ++i) {
      Value shift = arith::ConstantOp::create(
          b, loc, lanes16,
          DenseElementsAttr::get(lanes16, b.getIntegerAttr(i16, 4 * i)));
      SmallVector<Value> weights;
      for (int64_t c = 0; c < cols; ++c) {
        Value shifted = halves[c];
        if (i > 0)
          shifted = arith::ShRUIOp::create(b, loc, shifted, shift);
        if (twoGroups)
          shifted = arith::OrIOp::create(
              b, loc, arith::AndIOp::create(b, loc, shifted, nibbleMask),
              halfBit);
        weights.push_back(vector::BitCastOp::create(
            b, loc, pairType,
            PermuteWords32Op::create(b, loc, lanes16, tables(i, c), shifted)
                .getResult()));
      }
      Value k = offsetIndex(b, loc, half, i * shape.lanes);
      for (size_t r = 0; r < rowIndex.size(); ++r) {
        Value x = vector::BitCastOp::create(
            b, loc, pairType,
            vector::TransferReadOp::create(b, loc, wordsType, pairs,
                                           ValueRange{rowIndex[r], k}, padding,
                                           ArrayRef<bool>{true})
                .getResult());
        for (int64_t c = 0; c < cols; ++c) {
          Value &sum = sums[(r * cols + c) * parts + i % parts];
          sum = DotBF16Op::create(b, loc, accType, sum, x, weights[c]);
        }
      }
    }
  }

  /// y[m0 .. m0 + rows, columns j .. j + cols of the tile] for weight rows
  /// n .. n + cols: each decoded step of a weight row meets every activation
  /// row, each activation vector every weight row. With `kBlock`, only that
  /// block of K (float kernel), only that group of K, its sums added to the
  /// tile's values.
  Value emitRows(Value tile, Value n, Value j, Value m0, int64_t rows,
                 int64_t cols, Value kBlock) {
    auto offsetBy = [&](Value base, int64_t i) {
      return offsetIndex(b, loc, base, i);
    };
    SmallVector<Value> rowIndex, colIndex, weightRow;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(offsetBy(m0, r));
    for (int64_t c = 0; c < cols; ++c) {
      colIndex.push_back(offsetBy(j, c));
      weightRow.push_back(offsetBy(n, c));
    }
    // Where each weight row's steps of this K block start (the first step
    // of the block only matters for interleaved rows; rows as they are
    // start at n * R whatever the block).
    currentFirstStep = {};
    if (kBlock && in.interleave > 1 &&
        in.blockSteps < elementsPerRow() / elementsPerStep())
      currentFirstStep = arith::MulIOp::create(
          b, loc, kBlock, indexConst(b, loc, in.blockSteps));
    rowStarts.clear();
    if (!in.isFloat)
      for (Value row : weightRow)
        rowStarts.push_back({row, rowStart(row)});
    Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
    int64_t numAcc = rows * cols;
    // Separate partial sums for alternate vectors of 4-bit steps keep two
    // FMA chains per accumulator when there are few chains.
    int64_t parts = in.packed && numAcc < (in.laneWords ? 8 : 4) ? 2 : 1;
    // The loop walks groups, or steps of lane words holding `numSub`
    // groups of `perGroup` vectors each.
    int64_t numSub = subgroups();
    int64_t perGroup = in.groupSize / shape.lanes;
    if (numSub > 1)
      parts = std::min(parts, perGroup);
    int64_t blockCodes = this->blockCodes();
    // With scaled tables (f32, or bf16 pairs of groups shorter than a
    // step) the sums run on across groups, parts and all.
    bool inTables = scalesInTables();
    int64_t accParts = inTables || (in.bf16Pairs && numSub > 1) ? parts : 1;
    SmallVector<Value> accInit(numAcc * accParts, zeroVector());
    auto scaledTables = [&](Value g) {
      SmallVector<Value> tables;
      for (int64_t c = 0; c < cols; ++c)
        tables.push_back(scaledTable(weightRow[c], g));
      return tables;
    };
    auto readScaleVector = [&](int64_t c, Value g) -> Value {
      return vector::BroadcastOp::create(b, loc, accType,
                                         readScale(weightRow[c], g));
    };
    // acc[r, c] += (sum of the parts of sums[r, c]) * scale[c].
    auto addScaled = [&](ValueRange sums, ArrayRef<Value> scales,
                         SmallVectorImpl<Value> &accs) {
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          int64_t a = r * cols + c;
          Value sum = sums[a * parts];
          for (int64_t p = 1; p < parts; ++p)
            sum = arith::AddFOp::create(b, loc, sum, sums[a * parts + p]);
          accs[a] =
              in.isFloat
                  ? arith::AddFOp::create(b, loc, sum, accs[a]).getResult()
                  : multiplyAdd(sum, scales[c], accs[a]);
        }
    };
    Value firstBlock = zero, endBlock = indexConst(b, loc, numBlocks());
    if (kBlock) {
      // The group-loop iterations of K block `kBlock` (the last block may
      // have fewer).
      int64_t perKBlock = blocksPerKBlock();
      firstBlock = perKBlock == 1
                       ? kBlock
                       : arith::MulIOp::create(b, loc, kBlock,
                                               indexConst(b, loc, perKBlock))
                             .getResult();
      endBlock = perKBlock == 1
                     ? offsetBy(kBlock, 1)
                     : arith::MinUIOp::create(
                           b, loc, offsetBy(firstBlock, perKBlock), endBlock)
                           .getResult();
    }
    auto groups = scf::ForOp::create(
        b, loc, firstBlock, endBlock, one, accInit,
        [&](OpBuilder &, Location, Value block, ValueRange accs) {
          SmallVector<Value> next(accs.begin(), accs.end());
          Value kStart = arith::MulIOp::create(b, loc, block,
                                               indexConst(b, loc, blockCodes));
          if (numSub > 1) {
            // One step, its groups block * numSub + sub one after the
            // other: each group's sums are scaled as soon as they are done,
            // or, when a group has fewer vectors than there are activation
            // rows, its decoded values are (fewer multiplies).
            bool scaleValues = perGroup < rows;
            Value firstGroup = arith::MulIOp::create(
                b, loc, block, indexConst(b, loc, numSub));
            SmallVector<Value> words;
            for (int64_t c = 0; c < cols; ++c)
              words.push_back(loadLaneWords(weightRow[c], kStart));
            if (in.bf16Pairs) {
              // Pair vector i holds nibbles i and i + 4: groups low =
              // (16 i) / G and low + 64 / G of the step, one table for both
              // (built once per weight row and low group).
              SmallVector<Value> built(4 * cols);
              auto table = [&](int64_t i, int64_t c) {
                int64_t low = shape.lanes * i / in.groupSize;
                Value &entry = built[low * cols + c];
                if (!entry)
                  entry = twoGroupPairTable(
                      weightRow[c], offsetBy(firstGroup, low),
                      offsetBy(firstGroup,
                               low + 4 * shape.lanes / in.groupSize));
                return entry;
              };
              emitLaneWordPairProducts(words, table, kStart, rowIndex, parts,
                                       next, /*twoGroups=*/true);
              scf::YieldOp::create(b, loc, next);
              return;
            }
            for (int64_t sub = 0; sub < numSub; ++sub) {
              Value g = offsetBy(firstGroup, sub);
              if (inTables) {
                emitLaneWordProducts(words, kStart, sub * perGroup,
                                     (sub + 1) * perGroup, rowIndex,
                                     /*zeroPoints=*/{}, parts, next,
                                     /*scales=*/{}, scaledTables(g));
                continue;
              }
              SmallVector<Value> zeroPoints, scales;
              for (int64_t c = 0; c < cols; ++c)
                zeroPoints.push_back(subtrahend(weightRow[c], g));
              if (scaleValues) {
                for (int64_t c = 0; c < cols; ++c)
                  scales.push_back(readScaleVector(c, g));
                emitLaneWordProducts(words, kStart, sub * perGroup,
                                     (sub + 1) * perGroup, rowIndex, zeroPoints,
                                     /*parts=*/1, next, scales);
                continue;
              }
              SmallVector<Value> sums(numAcc * parts, zeroVector());
              emitLaneWordProducts(words, kStart, sub * perGroup,
                                   (sub + 1) * perGroup, rowIndex, zeroPoints,
                                   parts, sums);
              for (int64_t c = 0; c < cols; ++c)
                scales.push_back(readScaleVector(c, g));
              addScaled(sums, scales, next);
            }
            scf::YieldOp::create(b, loc, next);
            return;
          }
          SmallVector<Value> zeroPoints, pairTables, tables;
          if (inTables)
            tables = scaledTables(block);
          else
            for (int64_t c = 0; c < cols; ++c) {
              zeroPoints.push_back(subtrahend(weightRow[c], block));
              if (in.bf16Pairs)
                pairTables.push_back(pairTable(zeroPoints.back()));
            }
          // With scaled tables the steps add to the sums themselves.
          SmallVector<Value> partInit =
              inTables ? next
                       : SmallVector<Value>(numAcc * parts, zeroVector());
          // Float K blocks: the last one ends at K.
          Value stepsEnd = indexConst(b, loc, blockCodes);
          if (in.k % blockCodes != 0)
            stepsEnd = arith::MinUIOp::create(
                b, loc, stepsEnd,
                arith::SubIOp::create(b, loc, indexConst(b, loc, in.k),
                                      kStart));
          auto steps = scf::ForOp::create(
              b, loc, zero, stepsEnd, indexConst(b, loc, step), partInit,
              [&](OpBuilder &, Location, Value offset, ValueRange partial) {
                Value k0 = arith::AddIOp::create(b, loc, kStart, offset);
                SmallVector<Value> sums(partial.begin(), partial.end());
                if (in.laneWords) {
                  SmallVector<Value> words;
                  for (int64_t c = 0; c < cols; ++c)
                    words.push_back(loadLaneWords(weightRow[c], k0));
                  if (in.bf16Pairs)
                    emitLaneWordPairProducts(
                        words,
                        [&](int64_t, int64_t c) { return pairTables[c]; }, k0,
                        rowIndex, parts, sums);
                  else
                    emitLaneWordProducts(words, k0, 0, 8, rowIndex, zeroPoints,
                                         parts, sums, /*scales=*/{}, tables);
                  scf::YieldOp::create(b, loc, sums);
                  return;
                }
                SmallVector<SmallVector<Value>> codes;
                for (int64_t c = 0; c < cols; ++c)
                  codes.push_back(decodeStep(weightRow[c], k0, zeroPoints[c]));
                for (int64_t r = 0; r < rows; ++r) {
                  SmallVector<Value> x = readActivations(rowIndex[r], k0);
                  for (int64_t c = 0; c < cols; ++c)
                    for (size_t h = 0; h < x.size(); ++h) {
                      Value &sum = sums[(r * cols + c) * parts + h % parts];
                      sum = multiplyAdd(x[h], codes[c][h], sum);
                    }
                }
                scf::YieldOp::create(b, loc, sums);
              });
          if (inTables) {
            scf::YieldOp::create(b, loc, steps.getResults());
            return;
          }
          SmallVector<Value> scales;
          if (!in.isFloat)
            for (int64_t c = 0; c < cols; ++c)
              scales.push_back(readScaleVector(c, block));
          addScaled(steps.getResults(), scales, next);
          scf::YieldOp::create(b, loc, next);
        });
    for (int64_t c = 0; c < cols; ++c) {
      Value biasValue;
      // With K blocks, y starts at the bias.
      if (in.bias && !kBlock)
        biasValue = tensor::ExtractOp::create(b, loc, in.bias,
                                              ValueRange{weightRow[c]});
      for (int64_t r = 0; r < rows; ++r) {
        int64_t a = (r * cols + c) * accParts;
        Value lanes = groups.getResult(a);
        for (int64_t p = 1; p < accParts; ++p)
          lanes = arith::AddFOp::create(b, loc, lanes, groups.getResult(a + p));
        Value sum = reduceLanes(lanes);
        if (kBlock)
          sum = arith::AddFOp::create(
              b, loc,
              tensor::ExtractOp::create(b, loc, tile,
                                        ValueRange{rowIndex[r], colIndex[c]}),
              sum);
        if (biasValue)
          sum = arith::AddFOp::create(b, loc, sum, biasValue);
        tile = tensor::InsertOp::create(b, loc, sum, tile,
                                        ValueRange{rowIndex[r], colIndex[c]});
      }
    }
    return tile;
  }

  OpBuilder &b;
  Location loc;
  const KernelInputs &in;
  const KernelShape &shape;
  Type f32;
  VectorType accType;
  int64_t step;
  /// The activations reordered by splitActivations (4-bit codes only).
  Value split;
  /// The activations as bf16 pairs (pairActivations; bf16 pairs only).
  Value pairs;
  /// The first step of the K block emitRows is reading, for interleaved
  /// rows in several K blocks (null otherwise).
  Value currentFirstStep;
  /// Weight rows of the current emitRows and where their steps start.
  SmallVector<std::pair<Value, Value>> rowStarts;
};

/// Whether the streaming kernel can multiply the op's lane words as bf16
/// pairs (KernelInputs::bf16Pairs): 16 lanes. With groups of whole steps
/// nibbles j and j + 4 of a word, 4 * VL codes apart, share the group's
/// scale and zero-point; with shorter groups (lane words have them divide
/// the step) a table per pair of groups holds the dequantized values.
bool streamsBF16Pairs(const KernelInputs &in, const KernelShape &shape) {
  return in.laneWords && shape.lanes == 16;
}

/// The decode-then-GEMM kernel's shape for a weight-only matmul, or
/// nothing when it does not apply: codes whose steps decode to consecutive
/// k (lane words, 8-bit codes), tasks of whole column tiles. Tiles of 3
/// vectors of rows times 8 columns with 32 registers (16 lanes), times 4
/// with 16; K blocks of at most 256 codes within the layout's K blocks.
/// (At 8 lanes, x86-64-v3, warm 4096 x 4096 i4 g128 on two threads: 5.8
/// against 6.1 ms for the streaming kernel at 32 rows, 18.9 against 22.6 ms
/// at 128; 4 lanes were not measured.)
std::optional<DecodedGemmShape>
chooseDecodedGemm(const KernelInputs &in, const KernelShape &shape, bool bf16) {
  if (in.isFloat || (in.packed && !in.laneWords))
    return std::nullopt;
  int64_t columns = shape.lanes >= 16 ? 8 : 4;
  // Tasks of up to 256 columns, at least 16 of them when N allows: each
  // task reads all of xT, so wider tasks read it less often.
  int64_t taskColumns = 256;
  while (taskColumns > columns &&
         (in.n % taskColumns != 0 || in.n / taskColumns < 16))
    taskColumns /= 2;
  if (in.n % taskColumns != 0 || taskColumns % columns != 0)
    return std::nullopt;
  int64_t step = in.laneWords ? 8 * shape.lanes : shape.lanes;
  // K is a multiple of the step.
  int64_t kBlock = std::min(std::max<int64_t>(1, 256 / step) * step, in.k);
  // A block must not straddle two K blocks of the interleaved layout (the
  // decoder addresses one at a time); without those any K works (the last
  // block is cut at K).
  if (in.interleave > 1 && in.blockSteps < in.k / step)
    while (kBlock > step && (in.blockSteps * step) % kBlock != 0)
      kBlock -= step;
  return DecodedGemmShape{shape.lanes, /*rowVectors=*/3, columns, taskColumns,
                          kBlock,      shape.fma,        bf16};
}

/// The block of K the float kernel reads at a time: K in ceil(K / 1024)
/// blocks of equal size, rounded up to whole vectors (the last block may be
/// shorter), so that the slices of the weight rows a step reads stay in L1
/// while the activation rows pass (on the build machine, one thread, 128 x
/// 4096 x 4096 f32 at 16 lanes: 22.7 ms with blocks of 1024, 27.5 ms of
/// 256, 29 ms of 2048, 32.5 ms unblocked).
int64_t floatKBlock(int64_t k, int64_t lanes) {
  return balancedKBlock(k, 1024, lanes);
}

/// A float matmul y = x @ W + 0 with a constant W [K, N] (its values
/// row-major in `values`, borrowed from an f32 constant or widened to f32
/// into `storage`). x and W are f32, bf16 or f16 (the same type), y f32 or
/// their type.
struct ConstantFloatMatmul {
  Value x;
  ArrayRef<float> values;
  std::vector<float> storage;
  int64_t k = 0;
  int64_t n = 0;
  /// W's (and x's) element type.
  FloatType weightType;
  /// y's element type.
  FloatType resultType;
};

/// The f32 value of each 16-bit float (bf16 or f16) in `bits`.
std::vector<float> widenHalfFloats(ArrayRef<uint16_t> bits, bool bf16) {
  std::vector<float> values(bits.size());
  for (size_t i = 0; i < bits.size(); ++i)
    values[i] = bf16 ? ::lowbit::quant::bfloat16BitsToFloat(bits[i])
                     : ::lowbit::quant::halfBitsToFloat(bits[i]);
  return values;
}

LogicalResult matchConstantFloatMatmul(linalg::MatmulOp op,
                                       ConstantFloatMatmul &matmul) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2)
    return failure();
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> expected = {AffineMap::get(3, 0, {m, k}, ctx),
                                     AffineMap::get(3, 0, {k, n}, ctx),
                                     AffineMap::get(3, 0, {m, n}, ctx)};
  if (op.getIndexingMapsArray() != ArrayRef<AffineMap>(expected))
    return failure();
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  auto yType = cast<RankedTensorType>(op.getResultTypes()[0]);
  Type xElement = xType.getElementType();
  Type yElement = yType.getElementType();
  if (!(xElement.isF32() || xElement.isBF16() || xElement.isF16()) ||
      wType.getElementType() != xElement ||
      !(yElement.isF32() || yElement == xElement) || !wType.hasStaticShape())
    return failure();
  int64_t elementBytes = xElement.isF32() ? 4 : 2;
  int64_t kSize = wType.getDimSize(0), nSize = wType.getDimSize(1);
  if (xType.getDimSize(1) != kSize || kSize == 0)
    return failure();
  // The accumulator must start at zero.
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  FloatAttr zero;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&zero)) ||
      !zero.getValue().isPosZero())
    return failure();
  DenseResourceElementsAttr resource;
  DenseElementsAttr dense;
  if (matchPattern(w, m_Constant(&resource))) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size_t(kSize * nSize * elementBytes))
      return failure();
    if (elementBytes == 4) {
      matmul.values = ArrayRef<float>(
          reinterpret_cast<const float *>(blob->getData().data()),
          kSize * nSize);
    } else {
      matmul.storage =
          widenHalfFloats(ArrayRef<uint16_t>(reinterpret_cast<const uint16_t *>(
                                                 blob->getData().data()),
                                             kSize * nSize),
                          xElement.isBF16());
      matmul.values = matmul.storage;
    }
  } else if (matchPattern(w, m_Constant(&dense))) {
    // Every f32, bf16 and f16 value is exact in f32.
    matmul.storage.reserve(kSize * nSize);
    if (dense.isSplat())
      matmul.storage.assign(kSize * nSize,
                            dense.getSplatValue<APFloat>().convertToFloat());
    else if (xElement.isF32())
      matmul.storage.assign(dense.getValues<float>().begin(),
                            dense.getValues<float>().end());
    else
      for (const APFloat &value : dense.getValues<APFloat>())
        matmul.storage.push_back(value.convertToFloat());
    matmul.values = matmul.storage;
  } else {
    return failure();
  }
  matmul.x = x;
  matmul.weightType = cast<FloatType>(xElement);
  matmul.resultType = cast<FloatType>(yElement);
  matmul.k = kSize;
  matmul.n = nSize;
  return success();
}

/// The inner-product float kernel for a constant-weight matmul whose N the
/// panel kernel does not take: W is transposed at compile time into a new
/// [N, K] constant (a resource blob, as the quantized weights) and read by
/// the dequant_matmul kernel, without decoding.
LogicalResult matchFloatKernel(OpBuilder &b, Location loc,
                               const ConstantFloatMatmul &matmul,
                               const KernelShape &shape, KernelInputs &in) {
  int64_t kSize = matmul.k, nSize = matmul.n;
  if (kSize % shape.lanes != 0)
    return failure();
  ArrayRef<float> values = matmul.values;
  // Transpose in 64 x 64 tiles (a plain loop would miss the cache on every
  // store for large weights).
  std::vector<float> transposed(kSize * nSize);
  for (int64_t k0 = 0; k0 < kSize; k0 += 64)
    for (int64_t n0 = 0; n0 < nSize; n0 += 64)
      for (int64_t kk = k0; kk < std::min(k0 + 64, kSize); ++kk)
        for (int64_t nn = n0; nn < std::min(n0 + 64, nSize); ++nn)
          transposed[nn * kSize + kk] = values[kk * nSize + nn];
  auto type = RankedTensorType::get({nSize, kSize}, b.getF32Type());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(transposed.data()),
                     transposed.size() * sizeof(float)),
      /*align=*/8);
  auto attr =
      DenseResourceElementsAttr::get(type, "lowbit.weight_nk", std::move(blob));
  in.x = convertFloatElements(b, loc, matmul.x, b.getF32Type());
  in.codes = arith::ConstantOp::create(b, loc, type, attr);
  in.isFloat = true;
  in.k = kSize;
  in.n = nSize;
  in.groupSize = floatKBlock(kSize, shape.lanes);
  return success();
}

/// y[m, n] += x[m, k] * w[k, n] with loops (m, k, n) instead of (m, n, k):
/// the innermost loop then walks rows of w and y contiguously, which LLVM
/// vectorizes, and each y[m, n] still sums its k in order (same bits).
/// Only the plain row-major form; other matmuls keep their loops.
void interchangeMatmul(RewriterBase &rewriter, linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2)
    return;
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> expected = {AffineMap::get(3, 0, {m, k}, ctx),
                                     AffineMap::get(3, 0, {k, n}, ctx),
                                     AffineMap::get(3, 0, {m, n}, ctx)};
  if (op.getIndexingMapsArray() != ArrayRef<AffineMap>(expected))
    return;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::GenericOp> generic =
      linalg::generalizeNamedOp(rewriter, op);
  if (failed(generic))
    return;
  (void)linalg::interchangeGenericOp(rewriter, *generic, {0, 2, 1});
}

struct CPUKernelsPass
    : public mlir::lowbit::impl::CPUKernelsPassBase<CPUKernelsPass> {
  using CPUKernelsPassBase::CPUKernelsPassBase;

  void runOnOperation() override {
    if (vectorWidth < 1 || !llvm::isPowerOf2_64(vectorWidth) ||
        vectorWidth > 64) {
      getOperation()->emitError()
          << "lowbit-cpu-kernels: vector-width must be a power of two in "
             "[1, 64], got "
          << int64_t(vectorWidth);
      return signalPassFailure();
    }
    if (cols != 0 && (cols < 0 || !llvm::isPowerOf2_64(cols) || cols > 16)) {
      getOperation()->emitError()
          << "lowbit-cpu-kernels: cols must be 0 (automatic) or a power of "
             "two in [1, 16], got "
          << int64_t(cols);
      return signalPassFailure();
    }
    if (rows < 1 || rows > 16) {
      getOperation()->emitError()
          << "lowbit-cpu-kernels: rows must be in [1, 16], got "
          << int64_t(rows);
      return signalPassFailure();
    }
    if (panelRows < 0 || panelRows > 16) {
      getOperation()->emitError()
          << "lowbit-cpu-kernels: panel-rows must be 0 (automatic) or in "
             "[1, 16], got "
          << int64_t(panelRows);
      return signalPassFailure();
    }
    if (gemmMinRows < 0) {
      getOperation()->emitError()
          << "lowbit-cpu-kernels: gemm-min-rows must be 0 (automatic) or "
             "positive, got "
          << int64_t(gemmMinRows);
      return signalPassFailure();
    }
    for (auto [enabled, name] :
         {std::pair<bool, StringRef>{bf16Products, "bf16-products"},
          {avx512bf16, "avx512bf16"}}) {
      if (!enabled || vectorWidth == 16)
        continue;
      getOperation()->emitError()
          << "lowbit-cpu-kernels: " << name
          << " needs vector-width=16 (vdpbf16ps of AVX512-BF16), got "
             "vector-width="
          << int64_t(vectorWidth);
      return signalPassFailure();
    }
    int64_t numCols = cols != 0 ? int64_t(cols) : vectorWidth >= 16 ? 4 : 2;
    // Where the decode-then-GEMM kernel overtakes the streaming one (warm
    // 4096 x 4096 i4 g128 on the build machine, two threads: f32 products
    // 2.7 against 2.8 ms at 32 rows, 1.5-1.8 against 1.4 ms at 16; bf16
    // products, one thread, against the streaming kernel's bf16 pairs:
    // 2.36 against 1.57 ms at 16 rows, 2.62 against 2.52 at 24, 2.69
    // against 3.24 at 32).
    int64_t minRows = gemmMinRows != 0 ? int64_t(gemmMinRows) : 32;
    KernelShape shape{vectorWidth, rows, numCols, fma, vnni, repack};
    IRRewriter matmulRewriter(&getContext());
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation()->walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    for (linalg::MatmulOp op : matmuls) {
      matmulRewriter.setInsertionPoint(op);
      ConstantFloatMatmul matmul;
      if (failed(matchConstantFloatMatmul(op, matmul))) {
        interchangeMatmul(matmulRewriter, op);
        continue;
      }
      Location loc = op.getLoc();
      Value y;
      KernelInputs inputs;
      if (std::optional<PanelShape> panel =
              choosePanelShape(vectorWidth, matmul.n, panelRows, fma)) {
        // A bf16 matmul multiplies in pairs of k by vdpbf16ps where the
        // target has it: products of bf16 values are exact in f32.
        bool bf16Pairs = matmul.weightType.isBF16() && matmul.k % 2 == 0 &&
                         (bf16Products || avx512bf16);
        Value x = convertFloatElements(matmulRewriter, loc, matmul.x,
                                       bf16Pairs ? matmulRewriter.getBF16Type()
                                                 : matmulRewriter.getF32Type());
        y = buildFloatPanelKernel(matmulRewriter, loc, x, matmul.values,
                                  matmul.k, matmul.n, *panel, matmul.weightType,
                                  bf16Pairs);
      } else if (succeeded(matchFloatKernel(matmulRewriter, loc, matmul, shape,
                                            inputs))) {
        Value m = tensor::DimOp::create(matmulRewriter, loc, inputs.x, 0);
        SmallVector<OpFoldResult> sizes = {
            m, matmulRewriter.getIndexAttr(inputs.n)};
        Value y0 = tensor::EmptyOp::create(matmulRewriter, loc, sizes,
                                           matmulRewriter.getF32Type());
        KernelBuilder builder(matmulRewriter, loc, inputs, shape);
        y = builder.build(y0, m);
      } else {
        interchangeMatmul(matmulRewriter, op);
        continue;
      }
      y = convertFloatElements(matmulRewriter, loc, y, matmul.resultType);
      if (y.getType() != op.getResultTypes()[0])
        y = tensor::CastOp::create(matmulRewriter, loc, op.getResultTypes()[0],
                                   y);
      matmulRewriter.replaceOp(op, y);
    }
    SmallVector<MatmulOp> intOps;
    getOperation()->walk([&](MatmulOp op) { intOps.push_back(op); });
    for (MatmulOp op : intOps) {
      matmulRewriter.setInsertionPoint(op);
      IntKernelInputs inputs;
      if (failed(matchIntKernel(matmulRewriter, op, shape, inputs)))
        continue;
      Location loc = op.getLoc();
      Value y;
      std::optional<PanelShape> panel =
          choosePanelShape(vectorWidth, inputs.n, panelRows, fma);
      // Panels with VNNI (vpdpbusd) or i16 pairs (pmaddwd), for constant
      // codes.
      if (panel && !inputs.weightCodes.empty() &&
          (vnni || intKernelPairs(shape))) {
        y = buildIntPanelKernel(matmulRewriter, loc, inputs, *panel, vnni);
      } else {
        Value m = tensor::DimOp::create(matmulRewriter, loc, op.getLhs(), 0);
        SmallVector<OpFoldResult> sizes = {
            m, matmulRewriter.getIndexAttr(inputs.n)};
        Value y0 = tensor::EmptyOp::create(matmulRewriter, loc, sizes,
                                           matmulRewriter.getF32Type());
        if (vnni) {
          // sum_k w[n, k], for the correction of the +128.
          auto type =
              RankedTensorType::get({inputs.n}, matmulRewriter.getI32Type());
          inputs.colSums = arith::ConstantOp::create(
              matmulRewriter, loc, type,
              DenseElementsAttr::get(
                  type, ArrayRef<int32_t>(weightRowSums(inputs.weightCodes,
                                                        inputs.n, inputs.k))));
        }
        y = buildIntStreamingKernel(matmulRewriter, loc, inputs, shape, y0, m);
      }
      if (y.getType() != op.getType())
        y = tensor::CastOp::create(matmulRewriter, loc, op.getType(), y);
      matmulRewriter.replaceOp(op, y);
    }
    SmallVector<DequantMatmulOp> ops;
    getOperation()->walk([&](DequantMatmulOp op) { ops.push_back(op); });
    RepackCache repackCache;
    IRRewriter rewriter(&getContext());
    for (DequantMatmulOp op : ops) {
      rewriter.setInsertionPoint(op);
      KernelInputs inputs;
      if (failed(matchKernel(rewriter, op, shape, inputs, repackCache)))
        continue;
      Location loc = op.getLoc();
      // 16-bit activations: the kernels run on their exact f32 values and
      // the f32 sums are rounded to the activation type at the end.
      auto activationType =
          cast<FloatType>(op.getInput().getType().getElementType());
      inputs.x =
          convertFloatElements(rewriter, loc, inputs.x, rewriter.getF32Type());
      if (inputs.bias)
        inputs.bias = convertFloatElements(rewriter, loc, inputs.bias,
                                           rewriter.getF32Type());
      // bf16 activations lose nothing to bf16 products.
      bool bf16 = bf16Products || (avx512bf16 && activationType.isBF16());
      Value m = tensor::DimOp::create(rewriter, loc, op.getInput(), 0);
      SmallVector<OpFoldResult> sizes = {m, rewriter.getIndexAttr(inputs.n)};
      Value y0 =
          tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
      inputs.bf16Pairs = bf16 && streamsBF16Pairs(inputs, shape);
      KernelBuilder builder(rewriter, loc, inputs, shape);
      std::optional<DecodedGemmShape> decodedGemm;
      if (gemm)
        decodedGemm = chooseDecodedGemm(inputs, shape, bf16);
      // A static row count picks one kernel at compile time.
      int64_t staticRows = op.getInput().getType().getDimSize(0);
      if (decodedGemm && !ShapedType::isDynamic(staticRows) &&
          staticRows < minRows)
        decodedGemm.reset();
      auto buildGemm = [&]() {
        return buildDecodedGemm(rewriter, loc, inputs.x, inputs.n, inputs.k,
                                inputs.bias, *decodedGemm,
                                [&](Value buffer, Value n, Value kStart,
                                    Value kEnd, StoreDecodedFn store) {
                                  return builder.decodeRowInto(
                                      buffer, n, kStart, kEnd, store);
                                });
      };
      Value y;
      if (decodedGemm && !ShapedType::isDynamic(staticRows)) {
        y = buildGemm();
      } else if (decodedGemm) {
        // Enough rows (known at run time) for the decode-then-GEMM kernel.
        Value manyRows =
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::uge, m,
                                  indexConst(rewriter, loc, minRows));
        auto choice = scf::IfOp::create(rewriter, loc, TypeRange{y0.getType()},
                                        manyRows, /*withElseRegion=*/true);
        rewriter.setInsertionPointToStart(choice.thenBlock());
        scf::YieldOp::create(rewriter, loc, buildGemm());
        rewriter.setInsertionPointToStart(choice.elseBlock());
        scf::YieldOp::create(rewriter, loc, builder.build(y0, m));
        rewriter.setInsertionPointAfter(choice);
        y = choice.getResult(0);
      } else {
        y = builder.build(y0, m);
      }
      y = convertFloatElements(rewriter, loc, y, activationType);
      if (y.getType() != op.getType())
        y = tensor::CastOp::create(rewriter, loc, op.getType(), y);
      rewriter.replaceOp(op, y);
    }
  }
};

} // namespace
