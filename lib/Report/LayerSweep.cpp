//===- LayerSweep.cpp - float and quantized models side by side -----------===//

#include "lowbit/Report/LayerSweep.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h"
#include "lowbit/IO/SampleDir.h"
#include "lowbit/Quant/HalfPrecision.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace ::lowbit::report;
using ::lowbit::io::DType;
using ::lowbit::io::NpyArray;
using ::lowbit::report::LayerSweep;
using ::lowbit::report::Sample;

static std::string quote(llvm::StringRef text) {
  return "'" + text.str() + "'";
}

static std::string join(llvm::StringRef dir, llvm::StringRef name) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return path.str().str();
}

bool ::lowbit::report::listSamples(const std::string &dir, size_t numArgs,
                                   std::vector<Sample> &samples,
                                   std::string &error) {
  return ::lowbit::io::listSampleDir(dir, numArgs, "--samples", samples, error);
}

/// The array's elements as floats; "" or an error.
static std::string toFloats(const NpyArray &array, std::vector<float> &out) {
  size_t n = array.numElements();
  const uint8_t *data = array.data.data();
  out.reserve(out.size() + n);
  for (size_t i = 0; i < n; ++i) {
    switch (array.dtype) {
    case DType::F32: {
      float value;
      std::memcpy(&value, data + 4 * i, 4);
      out.push_back(value);
      break;
    }
    case DType::F64: {
      double value;
      std::memcpy(&value, data + 8 * i, 8);
      out.push_back(float(value));
      break;
    }
    case DType::F16: {
      uint16_t bits;
      std::memcpy(&bits, data + 2 * i, 2);
      out.push_back(::lowbit::quant::halfBitsToFloat(bits));
      break;
    }
    default:
      return std::string("has element type ") +
             ::lowbit::io::dtypeName(array.dtype) + ", not a float type";
    }
  }
  return "";
}

LayerSweep::LayerSweep(ModuleOp floatModel, std::string modelName,
                       SweepOptions options)
    : floatModel(floatModel), modelName(std::move(modelName)),
      options(std::move(options)) {}

/// Collects the diagnostics emitted while it lives into one string.
namespace {
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() == DiagnosticSeverity::Error) {
            llvm::raw_string_ostream os(text);
            if (!text.empty())
              os << "\n";
            os << diag.getLocation() << ": " << diag;
          }
          return success();
        }) {}
  std::string text;

private:
  ScopedDiagnosticHandler handler;
};
} // namespace

OwningOpRef<ModuleOp> LayerSweep::transform(const std::string &pipeline,
                                            const std::string &policyFile,
                                            const std::string &mode,
                                            const std::string &weightReport,
                                            std::string &error) {
  MLIRContext *ctx = floatModel.getContext();
  OwningOpRef<ModuleOp> module = floatModel.clone();
  PassManager pm(ctx, ModuleOp::getOperationName());
  std::string parseError;
  llvm::raw_string_ostream parseErrorStream(parseError);
  if (failed(parsePassPipeline("lowbit-expose-layers{mode=" + mode +
                                   " entry=" + options.entry + "}",
                               pm, parseErrorStream))) {
    error = "cannot build lowbit-expose-layers: " + parseError;
    return nullptr;
  }
  if (!pipeline.empty()) {
    if (failed(parsePassPipeline(pipeline, pm, parseErrorStream))) {
      error = "invalid --pipeline " + quote(pipeline) + ": " + parseError;
      return nullptr;
    }
    unsigned quantizers = 0;
    // Reports of an earlier run in a reused --work-dir are not this run's.
    for (unsigned i = 0;; ++i) {
      std::string stale = weightReport + "." + std::to_string(i);
      if (!llvm::sys::fs::exists(stale))
        break;
      llvm::sys::fs::remove(stale);
    }
    for (Pass &pass : pm.getPasses()) {
      if (pass.getArgument() != "lowbit-quantize-weights")
        continue;
      std::string settings =
          "report=" + weightReport + "." + std::to_string(quantizers++);
      if (!policyFile.empty())
        settings += " policy=" + policyFile;
      if (failed(pass.initializeOptions(settings, [&](const llvm::Twine &msg) {
            error = msg.str();
            return failure();
          })))
        return nullptr;
    }
    if (quantizers == 0) {
      error = "--pipeline " + quote(pipeline) +
              " quantizes no weights (it runs no lowbit-quantize-weights "
              "pass at module level); use a lowbit pipeline such as "
              "lowbit-w4a16 or lowbit-quantize-weights itself";
      return nullptr;
    }
  }
  DiagnosticCollector diagnostics(ctx);
  if (failed(pm.run(*module))) {
    error = "quantizing " + quote(modelName) + " (" + mode +
            " form) failed:\n" + diagnostics.text;
    return nullptr;
  }
  return module;
}

bool LayerSweep::runModel(ModuleOp module, const std::string &tag,
                          const std::vector<Sample> &inputsPerSample,
                          std::vector<std::vector<NpyArray>> &outputs,
                          std::string &error) {
  std::string modelPath = join(options.workDir, tag + ".mlirbc");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(modelPath, ec);
    if (ec) {
      error = "cannot write " + quote(modelPath) + ": " + ec.message();
      return false;
    }
    if (failed(writeBytecodeToFile(module, os))) {
      error = "cannot write the bytecode of " + quote(modelPath);
      return false;
    }
  }
  auto numResults =
      module.lookupSymbol<func::FuncOp>(options.entry).getNumResults();
  outputs.clear();
  for (size_t s = 0; s < inputsPerSample.size(); ++s) {
    std::string outDir =
        join(options.workDir, tag + ".out" + std::to_string(runCount++));
    std::string log = outDir + ".log";
    std::vector<std::string> args = {options.lowbitRun, modelPath,
                                     "--entry=" + options.entry,
                                     "--output-dir=" + outDir};
    for (const std::string &input : inputsPerSample[s])
      args.push_back("--input=" + input);
    std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
    std::optional<llvm::StringRef> redirects[] = {std::nullopt, log, log};
    std::string execError;
    int rc = llvm::sys::ExecuteAndWait(options.lowbitRun, argRefs, std::nullopt,
                                       redirects, 0, 0, &execError);
    if (rc != 0) {
      auto buffer = llvm::MemoryBuffer::getFile(log);
      error = "running the " + tag + " model on sample " + std::to_string(s) +
              " failed (" + quote(options.lowbitRun) + ", exit " +
              std::to_string(rc) + "): " +
              (buffer ? (*buffer)->getBuffer().trim().str() : execError);
      return false;
    }
    std::vector<NpyArray> arrays(numResults);
    for (size_t i = 0; i < numResults; ++i) {
      std::string message;
      if (!::lowbit::io::readNpy(
              join(outDir, "output_" + std::to_string(i) + ".npy"), arrays[i],
              message)) {
        error = "reading the " + tag + " model's output " + std::to_string(i) +
                ": " + message;
        return false;
      }
    }
    outputs.push_back(std::move(arrays));
  }
  return true;
}

bool LayerSweep::prepare(const std::vector<Sample> &samplesIn,
                         std::string &error) {
  samples = samplesIn;
  auto func = floatModel.lookupSymbol<func::FuncOp>(options.entry);
  if (!func || func.isExternal()) {
    error = quote(modelName) + " has no function @" + options.entry +
            " with a body (--entry)";
    return false;
  }
  // The reference must be float: a model that already holds quantized ops
  // has no float layer to compare with.
  Operation *quantized = nullptr;
  floatModel.walk([&](Operation *op) {
    if (!quantized && op->getDialect() &&
        isa<mlir::lowbit::LowbitDialect>(op->getDialect()))
      quantized = op;
  });
  if (quantized) {
    std::string loc;
    llvm::raw_string_ostream(loc) << quantized->getLoc();
    error = quote(modelName) + " is already quantized (" +
            quantized->getName().getStringRef().str() + " at " + loc +
            "): the report compares a float model with its quantized form; "
            "give the float model and the quantization as --pipeline";
    return false;
  }
  numArguments = func.getNumArguments();
  numModelResults = func.getNumResults();
  for (unsigned i = 0; i < numModelResults; ++i) {
    auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
    resultNames.push_back(name ? name.getValue().str()
                               : "output_" + std::to_string(i));
  }
  for (const Sample &sample : samples)
    if (sample.size() != numArguments) {
      error = "@" + options.entry + " takes " + std::to_string(numArguments) +
              " argument(s) but a sample has " + std::to_string(sample.size()) +
              " input file(s)";
      return false;
    }

  OwningOpRef<ModuleOp> tapped = transform("", "", "tap", "", error);
  if (!tapped)
    return false;
  auto tappedFunc = tapped->lookupSymbol<func::FuncOp>(options.entry);
  auto layerAttrs = tappedFunc->getAttrOfType<ArrayAttr>("lowbit.layers");
  for (Attribute attr : layerAttrs) {
    auto dict = cast<DictionaryAttr>(attr);
    auto str = [&](StringRef key) {
      return cast<StringAttr>(dict.get(key)).getValue().str();
    };
    auto num = [&](StringRef key) {
      return cast<IntegerAttr>(dict.get(key)).getInt();
    };
    layers.push_back({str("name"), str("location"), str("weight"), str("op"),
                      num("position"), num("input"), num("output"),
                      num("weight_elements"), num("float_bytes")});
  }
  if (layers.empty()) {
    error = quote(modelName) + ": @" + options.entry +
            " has no matmul with a constant float weight: nothing to report";
    return false;
  }
  return runModel(*tapped, "float", samples, reference, error);
}

namespace {
/// A weight report entry (lowbit-quantize-weights report=).
struct WeightEntry {
  std::string name, location, scheme;
  int64_t quantizedBytes = 0;
  bool used = false;
};
} // namespace

static bool readWeightReports(const std::string &prefix,
                              std::vector<WeightEntry> &entries,
                              std::string &error) {
  for (unsigned i = 0;; ++i) {
    std::string path = prefix + "." + std::to_string(i);
    if (!llvm::sys::fs::exists(path))
      return true;
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      error = "cannot read the weight report " + quote(path);
      return false;
    }
    llvm::Expected<llvm::json::Value> root =
        llvm::json::parse((*buffer)->getBuffer());
    if (!root) {
      error = "the weight report " + quote(path) +
              " is not JSON: " + llvm::toString(root.takeError());
      return false;
    }
    const llvm::json::Array *weights =
        root->getAsObject() ? root->getAsObject()->getArray("weights")
                            : nullptr;
    if (!weights) {
      error = "the weight report " + quote(path) + " has no 'weights' array";
      return false;
    }
    for (const llvm::json::Value &value : *weights) {
      const llvm::json::Object *object = value.getAsObject();
      if (!object)
        continue;
      WeightEntry entry;
      entry.name = object->getString("name").value_or("").str();
      entry.location = object->getString("location").value_or("").str();
      entry.scheme = object->getString("scheme").value_or("").str();
      entry.quantizedBytes = object->getInteger("quantized_bytes").value_or(0);
      entries.push_back(std::move(entry));
    }
    llvm::sys::fs::remove(path);
  }
}

/// The weight report entry of `layer`: by location, else by weight name.
static WeightEntry *findEntry(const LayerInfo &layer,
                              std::vector<WeightEntry> &entries) {
  for (WeightEntry &entry : entries)
    if (!entry.used && entry.location == layer.location)
      return &entry;
  if (!layer.weight.empty())
    for (WeightEntry &entry : entries)
      if (entry.name == layer.weight)
        return &entry;
  return nullptr;
}

/// Error metrics of one tensor over all samples.
static std::string
compareOverSamples(const std::vector<std::vector<NpyArray>> &refs,
                   size_t refIndex,
                   const std::vector<std::vector<NpyArray>> &gots,
                   size_t gotIndex, ::lowbit::quant::ErrorMetrics &metrics) {
  std::vector<float> ref, got;
  for (size_t s = 0; s < refs.size(); ++s) {
    const NpyArray &r = refs[s][refIndex];
    const NpyArray &g = gots[s][gotIndex];
    if (r.shape != g.shape)
      return "shape " + ::lowbit::io::formatShape(g.shape) +
             " differs from the float " + ::lowbit::io::formatShape(r.shape);
    if (std::string message = toFloats(r, ref); !message.empty())
      return message;
    if (std::string message = toFloats(g, got); !message.empty())
      return message;
  }
  metrics =
      ::lowbit::quant::computeErrorMetrics(ref.data(), got.data(), ref.size());
  return "";
}

bool LayerSweep::measure(const std::string &pipeline,
                         const std::string &policyFile, bool isolated,
                         bool endToEnd, LayerReport &report,
                         std::string &error) {
  report = LayerReport();
  report.model = modelName;
  report.pipeline = pipeline;
  report.samples = samples.size();
  for (const LayerInfo &layer : layers) {
    LayerResult result;
    result.info = layer;
    result.scheme = "float";
    result.quantizedBytes = layer.floatBytes;
    report.layers.push_back(std::move(result));
  }
  std::string weightReport = join(options.workDir, "weights.json");
  bool schemesRead = false;
  // Both forms quantize the same weights: the first report is enough (the
  // next transform removes the other's files).
  auto readSchemes = [&]() {
    if (schemesRead)
      return true;
    std::vector<WeightEntry> entries;
    if (!readWeightReports(weightReport, entries, error))
      return false;
    schemesRead = true;
    for (LayerResult &layer : report.layers)
      if (WeightEntry *entry = findEntry(layer.info, entries)) {
        entry->used = true;
        layer.scheme = entry->scheme;
        layer.quantizedBytes = entry->quantizedBytes;
      }
    return true;
  };

  if (endToEnd) {
    OwningOpRef<ModuleOp> quantized =
        transform(pipeline, policyFile, "tap", weightReport, error);
    if (!quantized || !readSchemes())
      return false;
    std::vector<std::vector<NpyArray>> outputs;
    if (!runModel(*quantized, "quantized", samples, outputs, error))
      return false;
    for (LayerResult &layer : report.layers)
      if (std::string message =
              compareOverSamples(reference, layer.info.output, outputs,
                                 layer.info.output, layer.endToEnd);
          !message.empty()) {
        error = "layer " + quote(layer.info.name) + " output " + message;
        return false;
      }
    for (size_t i = 0; i < numModelResults; ++i) {
      OutputResult output;
      output.index = i;
      output.name = resultNames[i];
      if (std::string message =
              compareOverSamples(reference, i, outputs, i, output.error);
          !message.empty()) {
        error = "model output " + quote(output.name) + " " + message;
        return false;
      }
      report.outputs.push_back(std::move(output));
    }
  }

  if (isolated) {
    OwningOpRef<ModuleOp> quantized =
        transform(pipeline, policyFile, "isolate", weightReport, error);
    if (!quantized || !readSchemes())
      return false;
    auto func = quantized->lookupSymbol<func::FuncOp>(options.entry);
    auto layerAttrs = func->getAttrOfType<ArrayAttr>("lowbit.layers");
    if (!layerAttrs || layerAttrs.size() != layers.size()) {
      error = "the isolated model exposes a different set of layers than "
              "the tapped one";
      return false;
    }
    // Each layer's new argument gets the float model's input of the layer,
    // written once per sample.
    std::vector<Sample> inputs;
    for (size_t s = 0; s < samples.size(); ++s) {
      Sample sample = samples[s];
      for (size_t l = 0; l < layers.size(); ++l) {
        auto dict = cast<DictionaryAttr>(layerAttrs[l]);
        int64_t argIndex = cast<IntegerAttr>(dict.get("input")).getInt();
        if (argIndex != int64_t(sample.size())) {
          error = "unexpected argument order in the isolated model";
          return false;
        }
        std::string path =
            join(options.workDir, "layer_input_" + std::to_string(s) + "_" +
                                      std::to_string(l) + ".npy");
        // Written once per run of the tool (a reused --work-dir may hold
        // another run's).
        if (writtenLayerInputs.insert(path).second) {
          std::string message;
          if (!io::writeNpy(path, reference[s][layers[l].input], message)) {
            error = message;
            return false;
          }
        }
        sample.push_back(path);
      }
      inputs.push_back(std::move(sample));
    }
    std::vector<std::vector<NpyArray>> outputs;
    if (!runModel(*quantized, "isolated", inputs, outputs, error))
      return false;
    for (size_t l = 0; l < layers.size(); ++l) {
      auto dict = cast<DictionaryAttr>(layerAttrs[l]);
      int64_t output = cast<IntegerAttr>(dict.get("output")).getInt();
      LayerResult &layer = report.layers[l];
      if (std::string message = compareOverSamples(
              reference, layer.info.output, outputs, output, layer.isolated);
          !message.empty()) {
        error = "layer " + quote(layer.info.name) + " output " + message;
        return false;
      }
    }
  }
  return true;
}
