//===- ExportONNX.cpp - quantized lowbit models back to ONNX --------------===//
//
// Reads the quantized ops of a module into the plain description the ONNX
// writer takes (OnnxExport.h):
//
//   lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1>
//       scales(...)                                        loc("fc1")
//     -> node "fc1": weight = DequantizeLinear(int4 codes, scales, axis = 0,
//        block_size = 32)   (codes and scales transposed to ONNX's [K, N])
//
//   lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, affine> scales(0.1)
//       zero_points(128)) rhs(as #lowbit.scheme<i8, axis = 0> ...) loc("fc2")
//     -> node "fc2": A = DequantizeLinear(QuantizeLinear(A, 0.1, 128), ..),
//        weight = DequantizeLinear(int8 codes, scales, axis = 1)
//
// Formats ONNX has no type for (NF4, FP4), dynamic activation scales and
// requantized outputs are errors at the op.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/ONNX/ExportONNX.h"

#include "OnnxExport.h"
#include "OnnxModel.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;
using namespace mlir::lowbit;
namespace ex = ::lowbit::onnx_export;
namespace ox = ::lowbit::onnx_import;

namespace {

/// The name of a NameLoc in `loc`, or "".
std::string locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = locationName(inner); !name.empty())
        return name;
  return "";
}

/// How messages name an op's place: its location name, else the location.
std::string printLocation(Location loc) {
  if (std::string name = locationName(loc); !name.empty())
    return "'" + name + "'";
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

/// The raw bytes of a dense_resource attribute, or nullopt.
std::optional<ArrayRef<char>> resourceBytes(Attribute attr) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return ArrayRef<char>();
  return blob->getData();
}

/// The ONNX code type of a storage format, or 0 when ONNX has none.
int onnxCodeType(StorageFormat format) {
  switch (format) {
  case StorageFormat::I8:
    return ox::kInt8;
  case StorageFormat::U8:
    return ox::kUInt8;
  case StorageFormat::I4:
    return ox::kInt4;
  case StorageFormat::U4:
    return ox::kUInt4;
  case StorageFormat::F8E4M3FN:
    return ox::kFloat8E4M3FN;
  case StorageFormat::F8E5M2:
    return ox::kFloat8E5M2;
  case StorageFormat::NF4:
  case StorageFormat::F4E2M1FN:
    return 0;
  }
  return 0;
}

class Collector {
public:
  Collector(const OnnxExportOptions &options) : options(options) {}

  LogicalResult collect(ModuleOp module) {
    if (module->hasAttr(kActivationRescaledAttr))
      return emitError(module.getLoc())
             << "--export-onnx: this model's activations were rescaled "
                "(lowbit-smooth-quant or method=awq, module attribute '"
             << kActivationRescaledAttr
             << "'): exporting patches only the quantized matmuls of the "
                "source ONNX model, which would not carry the rescaling; "
                "export a model quantized without them";
    WalkResult result = module.walk([&](Operation *op) {
      if (!isa_and_present<LowbitDialect>(op->getDialect()))
        return WalkResult::advance();
      LogicalResult handled = success();
      if (auto dq = dyn_cast<DequantMatmulOp>(op))
        handled = addDequantMatmul(dq);
      else if (auto mm = dyn_cast<MatmulOp>(op))
        handled = addMatmul(mm);
      else if (auto q = dyn_cast<QuantizeOp>(op)) {
        // Feeds a lowbit.matmul's activation (exported with it).
        if (!llvm::all_of(q->getUsers(),
                          [](Operation *user) { return isa<MatmulOp>(user); }))
          handled = op->emitError()
                    << "--export-onnx: a lowbit.quantize that does not feed "
                       "a lowbit.matmul has no ONNX counterpart here";
      } else {
        handled = op->emitError() << "--export-onnx: '" << op->getName()
                                  << "' cannot be exported to ONNX";
      }
      return failed(handled) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    if (request.weights.empty())
      return emitError(module.getLoc())
             << "--export-onnx: the module has no quantized matmul "
                "(lowbit.dequant_matmul or lowbit.matmul) to export";
    return success();
  }

  ex::ExportRequest request;

private:
  /// Fills the format-independent parts of `weight` from a [N, K] weight.
  LogicalResult readWeight(Operation *op, Value codes, SchemeAttr scheme,
                           Attribute scales, Attribute zeroPoints,
                           ex::QuantizedWeight &weight) {
    weight.location = printLocation(op->getLoc());
    weight.nodeName = locationName(op->getLoc());
    weight.dataType = onnxCodeType(scheme.getFormat());
    if (!weight.dataType)
      return op->emitError()
             << "--export-onnx: weight format "
             << stringifyStorageFormat(scheme.getFormat())
             << " has no ONNX type (DequantizeLinear takes int8, uint8, "
                "int4, uint4 and float8 codes; MatMulNBits takes 4-bit "
                "integers): quantize this matmul to i4/i8 (or keep it float "
                "with a policy) to export it";
    auto type = cast<RankedTensorType>(codes.getType());
    if (type.getRank() != 2)
      return op->emitError() << "--export-onnx: batched weights " << type
                             << " are not exported (MatMul/Gemm weights are "
                                "[K, N])";
    weight.n = type.getDimSize(0);
    weight.k = type.getDimSize(1);
    int64_t n = weight.n, k = weight.k;
    switch (scheme.getGranularity()) {
    case Granularity::Tensor:
      weight.groupSize = -1;
      break;
    case Granularity::Axis:
      if (scheme.getAxis() != 0)
        return op->emitError()
               << "--export-onnx: per-axis weight scales "
                  "along axis "
               << scheme.getAxis() << " (not N) are not exported";
      weight.groupSize = 0;
      break;
    case Granularity::Group:
      if (scheme.getAxis() != 1)
        return op->emitError()
               << "--export-onnx: weight groups along axis " << scheme.getAxis()
               << " (not K) are not exported";
      weight.groupSize = scheme.getGroupSize();
      break;
    }
    int64_t numScales = weight.groupSize < 0    ? 1
                        : weight.groupSize == 0 ? n
                                                : n * (k / weight.groupSize);

    // Codes: one byte per element.
    ElementsAttr codesAttr;
    if (!matchPattern(codes, m_Constant(&codesAttr)))
      return op->emitError()
             << "--export-onnx: the weight codes are not a constant";
    Type elementType = type.getElementType();
    unsigned bits = elementType.getIntOrFloatBitWidth();
    weight.codes.resize(n * k);
    if (std::optional<ArrayRef<char>> bytes = resourceBytes(codesAttr)) {
      size_t need = bits == 4 ? (n * k + 1) / 2 : n * k;
      if (bytes->size() < need)
        return op->emitError() << "--export-onnx: the weight codes' resource "
                                  "holds no data (elided?)";
      for (int64_t i = 0; i < n * k; ++i) {
        auto byte = static_cast<uint8_t>((*bytes)[bits == 4 ? i / 2 : i]);
        weight.codes[i] = bits == 4 ? (i % 2 ? byte >> 4 : byte & 0xF) : byte;
      }
    } else if (auto dense = dyn_cast<DenseElementsAttr>(codesAttr)) {
      int64_t i = 0;
      if (isa<FloatType>(elementType)) {
        for (APFloat value : dense.getValues<APFloat>())
          weight.codes[i++] =
              static_cast<uint8_t>(value.bitcastToAPInt().getZExtValue());
      } else {
        for (APInt value : dense.getValues<APInt>())
          weight.codes[i++] =
              static_cast<uint8_t>(value.getZExtValue() & ((1u << bits) - 1));
      }
    } else {
      return op->emitError() << "--export-onnx: unsupported weight constant";
    }

    if (failed(readFloats(op, scales, numScales, weight.scales)) ||
        failed(readInts(op, zeroPoints, numScales, weight.zeroPoints)))
      return failure();
    if (llvm::all_of(weight.zeroPoints, [](int32_t z) { return z == 0; }))
      weight.zeroPoints.clear();
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(codesAttr)) {
      // `<w>.q`, or `<w>.q_<n>` when the key was uniqued.
      StringRef key = resource.getRawHandle().getKey();
      size_t suffix = key.rfind(".q");
      if (suffix != StringRef::npos &&
          (suffix + 2 == key.size() ||
           (key[suffix + 2] == '_' &&
            llvm::all_of(key.drop_front(suffix + 3), llvm::isDigit))))
        key = key.take_front(suffix);
      weight.weightName = key.str();
    }
    return success();
  }

  LogicalResult readFloats(Operation *op, Attribute attr, int64_t count,
                           std::vector<float> &out) {
    if (auto scalar = dyn_cast<FloatAttr>(attr)) {
      out.assign(count, static_cast<float>(scalar.getValueAsDouble()));
      return success();
    }
    auto elements = dyn_cast_or_null<ElementsAttr>(attr);
    if (!elements || elements.getNumElements() != count)
      return op->emitError()
             << "--export-onnx: expected " << count << " scales";
    Type type = elements.getElementType();
    if (std::optional<ArrayRef<char>> bytes = resourceBytes(attr)) {
      unsigned width = type.getIntOrFloatBitWidth() / 8;
      if (bytes->size() < size_t(count) * width)
        return op->emitError() << "--export-onnx: the scales' resource holds "
                                  "no data (elided?)";
      for (int64_t i = 0; i < count; ++i) {
        const char *p = bytes->data() + i * width;
        if (type.isF32()) {
          float v;
          std::memcpy(&v, p, 4);
          out.push_back(v);
        } else {
          uint16_t bitsValue;
          std::memcpy(&bitsValue, p, 2);
          APFloat v(type.isF16() ? APFloat::IEEEhalf() : APFloat::BFloat(),
                    APInt(16, bitsValue));
          out.push_back(v.convertToFloat());
        }
      }
      return success();
    }
    for (APFloat value : cast<DenseElementsAttr>(attr).getValues<APFloat>()) {
      bool lost;
      value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(value.convertToFloat());
    }
    return success();
  }

  LogicalResult readInts(Operation *op, Attribute attr, int64_t count,
                         std::vector<int32_t> &out) {
    if (!attr)
      return success();
    if (auto scalar = dyn_cast<IntegerAttr>(attr)) {
      out.assign(count, static_cast<int32_t>(scalar.getInt()));
      return success();
    }
    auto elements = dyn_cast<ElementsAttr>(attr);
    if (!elements || elements.getNumElements() != count)
      return op->emitError()
             << "--export-onnx: expected " << count << " zero-points";
    if (std::optional<ArrayRef<char>> bytes = resourceBytes(attr)) {
      if (bytes->size() < size_t(count) * 4)
        return op->emitError() << "--export-onnx: the zero-points' resource "
                                  "holds no data (elided?)";
      for (int64_t i = 0; i < count; ++i) {
        int32_t v;
        std::memcpy(&v, bytes->data() + 4 * i, 4);
        out.push_back(v);
      }
      return success();
    }
    for (APInt value : cast<DenseElementsAttr>(attr).getValues<APInt>())
      out.push_back(static_cast<int32_t>(value.getSExtValue()));
    return success();
  }

  LogicalResult addDequantMatmul(DequantMatmulOp op) {
    if (op.getScaleBlockScales())
      return op->emitError()
             << "--export-onnx: double-quantized scales are not exported "
                "(quantize without double-quant)";
    ex::QuantizedWeight weight;
    if (failed(readWeight(op, op.getWeight(), op.getScheme(), op.getScales(),
                          op.getZeroPointsAttr(), weight)))
      return failure();
    request.weights.push_back(std::move(weight));
    return success();
  }

  LogicalResult addMatmul(MatmulOp op) {
    if (op.getResultScheme())
      return op->emitError() << "--export-onnx: a lowbit.matmul with a "
                                "requantized result is not exported";
    ex::QuantizedWeight weight;
    if (failed(readWeight(op, op.getRhs(), op.getRhsScheme(), op.getRhsScales(),
                          op.getRhsZeroPointsAttr(), weight)))
      return failure();
    std::string node = weight.nodeName;
    request.weights.push_back(std::move(weight));
    if (options.weightsOnly)
      return success();
    if (op.getLhsDynamicScales())
      return op->emitError()
             << "--export-onnx: this matmul's activation scales are "
                "dynamic (computed at run time); ONNX QuantizeLinear takes "
                "constant scales: quantize activations statically "
                "(lowbit-quantize-activations mode=static) or export the "
                "weights alone with --onnx-weights-only";
    SchemeAttr lhs = op.getLhsScheme();
    if (lhs.getGranularity() != Granularity::Tensor)
      return op->emitError() << "--export-onnx: only per-tensor static "
                                "activation scales are exported";
    ex::QuantizedActivation activation;
    activation.nodeName = node;
    activation.weightName = request.weights.back().weightName;
    activation.location = printLocation(op->getLoc());
    activation.dataType = onnxCodeType(lhs.getFormat());
    if (activation.dataType != ox::kInt8 && activation.dataType != ox::kUInt8)
      return op->emitError() << "--export-onnx: activation format "
                             << stringifyStorageFormat(lhs.getFormat())
                             << " is not exported (int8 and uint8 are)";
    std::vector<float> scale;
    std::vector<int32_t> zeroPoint;
    if (failed(readFloats(op, op.getLhsScalesAttr(), 1, scale)) ||
        failed(readInts(op, op.getLhsZeroPointsAttr(), 1, zeroPoint)))
      return failure();
    activation.scale = scale[0];
    activation.zeroPoint = zeroPoint.empty() ? 0 : zeroPoint[0];
    request.activations.push_back(activation);
    return success();
  }

  const OnnxExportOptions &options;
};

} // namespace

LogicalResult mlir::lowbit::exportOnnxFile(ModuleOp module,
                                           StringRef outputPath,
                                           const OnnxExportOptions &options) {
  Collector collector(options);
  if (failed(collector.collect(module)))
    return failure();
  ex::ExportRequest &request = collector.request;
  request.sourcePath = options.sourcePath;
  request.outputPath = outputPath.str();
  request.matmulNBits = options.matmulNBits;
  request.externalDataThreshold = options.externalDataThreshold;
  ex::ExportSummary summary;
  if (std::string error = ex::writeQuantizedOnnx(request, summary);
      !error.empty())
    return emitError(module.getLoc()) << "--export-onnx: " << error;
  llvm::errs() << "lowbit-translate: wrote " << outputPath << " (opset "
               << summary.opset << "): " << summary.dequantizeLinear
               << " DequantizeLinear weight(s), " << summary.matmulNBits
               << " MatMulNBits, " << summary.quantizedActivations
               << " quantized activation(s)";
  if (summary.externalBytes)
    llvm::errs() << ", " << summary.externalBytes << " bytes in " << outputPath
                 << ".data";
  llvm::errs() << "\n";
  return success();
}
