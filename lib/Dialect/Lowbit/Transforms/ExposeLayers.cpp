//===- ExposeLayers.cpp - layer inputs and outputs at the boundary --------===//
//
// Makes every quantizable matmul of the entry function observable from
// outside, so that a float and a quantized model can be compared layer by
// layer (lowbit-report):
//
//   func.func @main(%x) -> %out {
//     %h = linalg.matmul ins(%x, %w1) outs(..)  loc("fc1")
//     %y = linalg.matmul ins(%a, %w2) outs(..)  loc("fc2")    // %a = f(%h)
//     return %out
//
// mode=tap      -> func.func @main(%x) -> (%out, %x, %h, %a, %y)
//                  (fc1: input = result 1, output = result 2; fc2: 3, 4)
// mode=isolate  -> func.func @main(%x, %x', %a') -> (%out, %h, %y)
//                  with fc1 reading %x' and fc2 reading %a' instead
//
// With quantization applied afterwards, the tapped model's layer outputs
// carry the error accumulated through the model; feeding the isolated model
// the float model's tapped inputs gives each layer's own error. The layers
// are listed in the function's `lowbit.layers` attribute.
//
//===----------------------------------------------------------------------===//

#include "ConstantWeightMatmul.h"
#include "OpIdentity.h"

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_EXPOSELAYERSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;
using namespace mlir::lowbit;

namespace {

/// A matmul to expose and what the report needs to know about it.
struct Layer {
  ConstantWeightMatmul match;
  std::string name;
  int64_t position;
};

/// Bytes of the float weight as stored.
static int64_t floatWeightBytes(ElementsAttr weight) {
  auto type = cast<ShapedType>(weight.getType());
  return type.getNumElements() *
         static_cast<int64_t>(
             (type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

/// The weight's dense_resource key, or "".
static std::string weightResourceName(ElementsAttr weight) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(weight))
    return resource.getRawHandle().getKey().str();
  return "";
}

struct ExposeLayersPass
    : public mlir::lowbit::impl::ExposeLayersPassBase<ExposeLayersPass> {
  using ExposeLayersPassBase::ExposeLayersPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    if (mode != "tap" && mode != "isolate") {
      emitError(module.getLoc())
          << "lowbit-expose-layers: option 'mode' must be 'tap' or "
             "'isolate', got '"
          << mode << "'";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal()) {
      emitError(module.getLoc()) << "lowbit-expose-layers: no function @"
                                 << entry << " with a body (option 'entry')";
      return signalPassFailure();
    }
    if (func->hasAttr("lowbit.layers")) {
      func.emitError() << "lowbit-expose-layers: @" << entry
                       << " already has exposed layers ('lowbit.layers')";
      return signalPassFailure();
    }

    // Positions count every constant-weight matmul of the module in walk
    // order, as the policies of lowbit-quantize-weights do.
    SmallVector<Layer> layers;
    llvm::StringSet<> usedNames;
    int64_t position = 0;
    module.walk([&](Operation *op) {
      std::optional<ConstantWeightMatmul> match = matchConstantWeightMatmul(op);
      if (!match)
        return;
      int64_t index = position++;
      if (op->getParentOfType<func::FuncOp>() != func) {
        op->emitWarning() << "lowbit-expose-layers: matmul outside @" << entry
                          << " is not exposed";
        return;
      }
      if (op->getParentOp() != func) {
        op->emitWarning() << "lowbit-expose-layers: matmul inside a region "
                             "of @"
                          << entry << " is not exposed";
        return;
      }
      if (op->getNumResults() != 1 ||
          !isa<RankedTensorType>(op->getResult(0).getType()) ||
          !isa<RankedTensorType>(match->input.getType())) {
        op->emitWarning() << "lowbit-expose-layers: matmul without a single "
                             "ranked tensor result and input is not exposed";
        return;
      }
      std::string name = getStatisticsKey(op, match->weight);
      // Names must be unique for the report to be readable; a suffix must
      // not collide with another layer's own name either.
      if (!usedNames.insert(name).second) {
        std::string base = name;
        unsigned n = 2;
        do
          name = base + "#" + std::to_string(n++);
        while (!usedNames.insert(name).second);
      }
      layers.push_back({*match, name, index});
    });

    Block &body = func.getBody().front();
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());
    SmallVector<Value> results(returnOp.getOperands());
    unsigned numOriginalResults = results.size();
    bool isolate = mode == "isolate";

    // In tap mode an input read by several layers is returned once.
    llvm::DenseMap<Value, int64_t> tappedInputs;
    SmallVector<Attribute> layerAttrs;
    OpBuilder builder(ctx);
    for (Layer &layer : layers) {
      Operation *op = layer.match.op;
      int64_t inputIndex;
      if (isolate) {
        inputIndex = body.getNumArguments();
        BlockArgument argument =
            body.addArgument(layer.match.input.getType(), op->getLoc());
        op->replaceUsesOfWith(layer.match.input, argument);
      } else {
        auto [it, inserted] =
            tappedInputs.try_emplace(layer.match.input, results.size());
        if (inserted)
          results.push_back(layer.match.input);
        inputIndex = it->second;
      }
      int64_t outputIndex = results.size();
      results.push_back(op->getResult(0));

      NamedAttrList fields;
      fields.append("name", builder.getStringAttr(layer.name));
      fields.append("location",
                    builder.getStringAttr(formatLocation(op->getLoc())));
      fields.append("weight", builder.getStringAttr(
                                  weightResourceName(layer.match.weight)));
      fields.append("op", builder.getStringAttr(op->getName().getStringRef()));
      fields.append("position", builder.getI64IntegerAttr(layer.position));
      fields.append("input", builder.getI64IntegerAttr(inputIndex));
      fields.append("output", builder.getI64IntegerAttr(outputIndex));
      fields.append(
          "weight_elements",
          builder.getI64IntegerAttr(
              cast<ShapedType>(layer.match.weight.getType()).getNumElements()));
      fields.append("float_bytes", builder.getI64IntegerAttr(
                                       floatWeightBytes(layer.match.weight)));
      layerAttrs.push_back(fields.getDictionary(ctx));
    }

    builder.setInsertionPoint(returnOp);
    func::ReturnOp::create(builder, returnOp.getLoc(), results);
    returnOp.erase();

    // Keep the original argument and result attributes; the new ones get
    // none.
    ArrayAttr oldResultAttrs = func.getAllResultAttrs();
    func.setType(FunctionType::get(ctx, body.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    if (ArrayAttr argAttrs = func.getAllArgAttrs()) {
      SmallVector<Attribute> padded(argAttrs.begin(), argAttrs.end());
      padded.resize(body.getNumArguments(), DictionaryAttr::get(ctx));
      func.setAllArgAttrs(padded);
    }
    if (oldResultAttrs) {
      SmallVector<Attribute> padded(oldResultAttrs.begin(),
                                    oldResultAttrs.end());
      padded.resize(results.size(), DictionaryAttr::get(ctx));
      func.setAllResultAttrs(padded);
    }
    func->setAttr("lowbit.layers", builder.getArrayAttr(layerAttrs));
    func->setAttr("lowbit.model_results",
                  builder.getI64IntegerAttr(numOriginalResults));
  }
};

} // namespace
