//===- lowbit-auto-precision.cpp - mixed precision from sensitivities -----===//
//
// Measures every layer's isolated output error under each candidate scheme
// (one run per candidate: lowbit-report's isolated sweep), then chooses a
// scheme per layer (PrecisionSearch.h): the smallest model whose layers stay
// within an average size (--max-bits), or the smallest model whose output
// reaches an SQNR (--min-sqnr, measured end to end along the search's
// sequence). Writes the choice as a policy file for
// lowbit-quantize-weights (policy=FILE) and checks it end to end.
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"
#include "lowbit/Report/LayerReport.h"
#include "lowbit/Report/LayerSweep.h"
#include "lowbit/Report/PrecisionSearch.h"
#include "lowbit/Report/ToolSupport.h"

#include "mlir/InitAllPasses.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

namespace cl = llvm::cl;
using namespace lowbit::report;

namespace {
struct Options {
  cl::OptionCategory category{"lowbit-auto-precision options"};
  SweepCommandLine common{category};
  cl::opt<std::string> policy{
      "policy", cl::Required,
      cl::desc("Write the chosen schemes as a policy file for "
               "lowbit-quantize-weights policy=FILE"),
      cl::value_desc("FILE"), cl::cat(category)};
  cl::opt<std::string> candidates{
      "candidates",
      cl::desc(
          "Comma-separated schemes to choose from: FORMAT[:gN|:channel|"
          ":tensor][:affine], or float (default i4:g128,i8:channel,float)"),
      cl::init("i4:g128,i8:channel,float"), cl::cat(category)};
  cl::opt<double> maxBits{
      "max-bits", cl::desc("Budget: average bits per weight, scales included"),
      cl::init(std::numeric_limits<double>::quiet_NaN()), cl::cat(category)};
  cl::opt<double> minSqnr{
      "min-sqnr",
      cl::desc("Target: SQNR of every model output against float, in dB"),
      cl::init(std::numeric_limits<double>::quiet_NaN()), cl::cat(category)};
  cl::opt<std::string> pipeline{
      "pipeline",
      cl::desc("The quantization the policy is for (default "
               "lowbit-quantize-weights); it must run lowbit-quantize-weights"),
      cl::init("lowbit-quantize-weights"), cl::cat(category)};
  cl::opt<std::string> json{
      "json",
      cl::desc("Write the search (every layer's SQNR per candidate, the "
               "choice, the result) as JSON"),
      cl::value_desc("FILE"), cl::cat(category)};
};

/// One candidate: its spelling and the policy rule's "scheme" object (none
/// for float).
struct Candidate {
  std::string spelling;
  bool isFloat = false;
  llvm::json::Object scheme;
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "lowbit-auto-precision: error: " << message << "\n";
  return 1;
}

/// Parses `i4:g128`, `i8:channel`, `i4:g32:affine`, `float`.
static bool parseCandidates(llvm::StringRef text,
                            std::vector<Candidate> &candidates,
                            std::string &error) {
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',', -1, false);
  for (llvm::StringRef item : items) {
    item = item.trim();
    Candidate candidate;
    candidate.spelling = item.str();
    if (item == "float") {
      candidate.isFloat = true;
      candidates.push_back(std::move(candidate));
      continue;
    }
    llvm::SmallVector<llvm::StringRef> parts;
    item.split(parts, ':');
    candidate.scheme["format"] = parts[0].str();
    for (llvm::StringRef part : llvm::ArrayRef(parts).drop_front()) {
      int64_t groupSize;
      if (part == "channel" || part == "tensor") {
        candidate.scheme["granularity"] = part.str();
      } else if (part.consume_front("g") && !part.getAsInteger(10, groupSize) &&
                 groupSize > 0) {
        candidate.scheme["granularity"] = "group";
        candidate.scheme["group_size"] = groupSize;
      } else if (part == "affine") {
        candidate.scheme["symmetric"] = false;
      } else {
        error = "--candidates: cannot read '" + item.str() +
                "'; expected FORMAT[:gN|:channel|:tensor][:affine] (e.g. "
                "i4:g128, i8:channel) or float";
        return false;
      }
    }
    candidates.push_back(std::move(candidate));
  }
  if (candidates.size() < 2) {
    error = "--candidates: give at least two schemes to choose from";
    return false;
  }
  return true;
}

/// A policy giving every layer the candidate `choice[l]`. Rules select by
/// position; a layer with a stable name also carries it, so that the rule
/// does not silently move to another layer if the model changes.
static llvm::json::Object makePolicy(const std::vector<LayerInfo> &layers,
                                     const std::vector<Candidate> &candidates,
                                     const std::vector<size_t> &choice) {
  llvm::json::Array rules;
  for (size_t l = 0; l < layers.size(); ++l) {
    llvm::json::Object rule{{"position", layers[l].position}};
    if (layers[l].name.find('#') == std::string::npos)
      rule["name"] = layers[l].name;
    const Candidate &candidate = candidates[choice[l]];
    if (candidate.isFloat)
      rule["exclude"] = true;
    else
      rule["scheme"] = llvm::json::Object(candidate.scheme);
    rules.push_back(std::move(rule));
  }
  return llvm::json::Object{{"version", 1}, {"rules", std::move(rules)}};
}

static std::string toText(llvm::json::Object object) {
  std::string text;
  llvm::raw_string_ostream(text)
      << llvm::formatv("{0:2}", llvm::json::Value(std::move(object))) << "\n";
  return text;
}

/// The lowest SQNR over the model's outputs.
static double worstOutputSqnr(const LayerReport &report) {
  double worst = std::numeric_limits<double>::infinity();
  for (const OutputResult &output : report.outputs)
    worst = std::min(worst, output.error.sqnrDb);
  return worst;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::lowbit::registerAllLowbitPasses();
  Options opts;
  cl::HideUnrelatedOptions(opts.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowbit-auto-precision: choose each layer's scheme from measured "
      "sensitivities\n\n"
      "  lowbit-auto-precision MODEL.mlir --policy=OUT.json (--max-bits=B | "
      "--min-sqnr=DB)\n"
      "                        (--input=X.npy... | --samples=DIR) "
      "[--candidates=i4:g128,i8:channel,float]\n");

  bool byBits = !std::isnan(opts.maxBits), bySqnr = !std::isnan(opts.minSqnr);
  if (byBits == bySqnr)
    return fail("give the budget as --max-bits=BITS (average bits per "
                "weight) or the target as --min-sqnr=DB, exactly one");
  if (byBits && !(opts.maxBits > 0))
    return fail(llvm::formatv("--max-bits must be positive, got {0}",
                              opts.maxBits.getValue())
                    .str());
  std::string message;
  std::vector<Candidate> candidates;
  if (!parseCandidates(opts.candidates, candidates, message))
    return fail(message);
  SweepSessionOptions sessionOptions =
      opts.common.toSessionOptions(argv[0], {opts.policy, opts.json});
  SweepSession session;
  if (!session.open(sessionOptions, message))
    return fail(message);
  LayerSweep &sweep = session.getSweep();
  const std::vector<LayerInfo> &layers = sweep.getLayers();

  // Every layer's cost under every candidate.
  std::vector<LayerCosts> costs(layers.size());
  std::vector<std::vector<double>> sqnr(layers.size());
  for (size_t l = 0; l < layers.size(); ++l)
    costs[l].elements = layers[l].weightElements;
  for (size_t c = 0; c < candidates.size(); ++c) {
    LayerReport report;
    if (candidates[c].isFloat) {
      for (size_t l = 0; l < layers.size(); ++l) {
        costs[l].candidates.push_back({layers[l].floatBytes, 0.0});
        sqnr[l].push_back(std::numeric_limits<double>::infinity());
      }
      continue;
    }
    std::string policyPath = session.getWorkDir() + "/candidate" +
                             std::to_string(c) + ".policy.json";
    std::vector<size_t> all(layers.size(), c);
    if (std::string error = writeFileAtomically(
            policyPath, toText(makePolicy(layers, candidates, all)));
        !error.empty())
      return fail(error);
    if (!sweep.measure(opts.pipeline, policyPath, /*isolated=*/true,
                       /*endToEnd=*/false, report, message))
      return fail("candidate '" + candidates[c].spelling + "': " + message);
    for (size_t l = 0; l < layers.size(); ++l) {
      const LayerResult &layer = report.layers[l];
      // Exact: no noise; NaN (non-finite outputs): as bad as it gets.
      double db = layer.isolated.sqnrDb;
      double noise = std::isnan(db) ? std::numeric_limits<double>::infinity()
                     : std::isinf(db) && db > 0 ? 0.0
                                                : std::pow(10.0, -db / 10.0);
      costs[l].candidates.push_back({layer.quantizedBytes, noise});
      sqnr[l].push_back(layer.isolated.sqnrDb);
    }
  }

  // The choice, and its end-to-end check.
  auto evaluate = [&](const Assignment &choice, LayerReport &report) {
    std::string policyPath = session.getWorkDir() + "/choice.policy.json";
    if (std::string error = writeFileAtomically(
            policyPath, toText(makePolicy(layers, candidates, choice)));
        !error.empty()) {
      message = error;
      return false;
    }
    return sweep.measure(opts.pipeline, policyPath, /*isolated=*/false,
                         /*endToEnd=*/true, report, message);
  };
  std::vector<Assignment> sequence =
      upgradeSequence(costs, byBits ? opts.maxBits.getValue()
                                    : std::numeric_limits<double>::infinity());
  Assignment choice = sequence.back();
  LayerReport result;
  bool met = true;
  if (byBits) {
    met = bitsPerWeight(costs, choice) <= opts.maxBits;
    if (!evaluate(choice, result))
      return fail(message);
  } else {
    // The output SQNR grows along the sequence: the first assignment that
    // reaches the target, by bisection.
    size_t low = 0, high = sequence.size() - 1;
    LayerReport highReport;
    if (!evaluate(sequence[high], highReport))
      return fail(message);
    if (worstOutputSqnr(highReport) < opts.minSqnr) {
      met = false;
      choice = sequence[high];
      result = std::move(highReport);
    } else {
      while (low < high) {
        size_t mid = (low + high) / 2;
        LayerReport midReport;
        if (!evaluate(sequence[mid], midReport))
          return fail(message);
        if (worstOutputSqnr(midReport) >= opts.minSqnr) {
          high = mid;
          highReport = std::move(midReport);
        } else {
          low = mid + 1;
        }
      }
      choice = sequence[high];
      result = std::move(highReport);
    }
  }

  if (std::string error = writeFileAtomically(
          opts.policy, toText(makePolicy(layers, candidates, choice)));
      !error.empty())
    return fail(error);

  double bits = result.bitsPerWeight();
  double outputSqnr = worstOutputSqnr(result);
  if (!opts.json.empty()) {
    llvm::json::Array layerArray;
    for (size_t l = 0; l < layers.size(); ++l) {
      llvm::json::Object perCandidate;
      for (size_t c = 0; c < candidates.size(); ++c)
        perCandidate[candidates[c].spelling] = jsonNumber(sqnr[l][c]);
      layerArray.push_back(
          llvm::json::Object{{"name", layers[l].name},
                             {"position", layers[l].position},
                             {"isolated_sqnr_db", std::move(perCandidate)},
                             {"chosen", candidates[choice[l]].spelling},
                             {"end_to_end_sqnr_db",
                              jsonNumber(result.layers[l].endToEnd.sqnrDb)}});
    }
    llvm::json::Object root{
        {"version", 1},
        {"tool", "lowbit-auto-precision"},
        {"model", llvm::sys::path::filename(opts.common.model).str()},
        {"pipeline", opts.pipeline.getValue()},
        {"budget",
         byBits ? llvm::json::Object{{"max_bits", opts.maxBits.getValue()}}
                : llvm::json::Object{{"min_sqnr_db", opts.minSqnr.getValue()}}},
        {"met", met},
        {"bits_per_weight", bits},
        {"output_sqnr_db", jsonNumber(outputSqnr)},
        {"layers", std::move(layerArray)}};
    if (std::string error = writeFileAtomically(opts.json, toText(root));
        !error.empty())
      return fail(error);
  }

  llvm::outs() << "lowbit-auto-precision: " << layers.size() << " layers, "
               << session.getNumSamples() << " sample(s); isolated SQNR dB per "
               << "candidate, * = chosen\n";
  llvm::outs() << "  layer";
  for (const Candidate &candidate : candidates)
    llvm::outs() << "  " << candidate.spelling;
  llvm::outs() << "\n";
  for (size_t l = 0; l < layers.size(); ++l) {
    llvm::outs() << "  " << layers[l].name;
    for (size_t c = 0; c < candidates.size(); ++c)
      llvm::outs() << "  " << formatSqnr(sqnr[l][c])
                   << (choice[l] == c ? "*" : "");
    llvm::outs() << "\n";
  }
  llvm::outs() << llvm::format("  result: %.2f bits/weight, output SQNR ", bits)
               << formatSqnr(outputSqnr) << " dB; budget "
               << (byBits ? llvm::format("max %g bits/weight",
                                         opts.maxBits.getValue())
                          : llvm::format("min %g dB", opts.minSqnr.getValue()))
               << (met ? " met" : " NOT met") << "; policy written to "
               << opts.policy << "\n";
  llvm::outs().flush();
  if (!met)
    return fail(byBits ? "the smallest candidates already exceed --max-bits; "
                         "the policy holds the smallest model"
                       : "even the largest candidates do not reach "
                         "--min-sqnr; the policy holds the most accurate "
                         "model");
  return 0;
}
