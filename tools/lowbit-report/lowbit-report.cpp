//===- lowbit-report.cpp - what quantization costs, layer by layer --------===//
//
// Quantizes a float model with a pipeline, runs the float and the quantized
// model side by side on sample inputs and reports, for every quantized
// matmul, its output error with the float model's own inputs (isolated) and
// inside the quantized model (end to end), its weight bytes before and
// after, and the error of the model's outputs: JSON, Markdown and an SVG
// chart (docs/tools/lowbit-report.md).
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"
#include "lowbit/Report/LayerReport.h"
#include "lowbit/Report/LayerSweep.h"
#include "lowbit/Report/ToolSupport.h"

#include "mlir/InitAllPasses.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

namespace cl = llvm::cl;
using namespace lowbit::report;

namespace {
struct Options {
  cl::OptionCategory category{"lowbit-report options"};
  SweepCommandLine common{category};
  cl::opt<std::string> pipeline{
      "pipeline",
      cl::desc("The quantization, as a pass pipeline on builtin.module "
               "(default lowbit-w4a16)"),
      cl::value_desc("PIPELINE"), cl::init("lowbit-w4a16"), cl::cat(category)};
  cl::opt<std::string> json{"json", cl::desc("Write the JSON report"),
                            cl::value_desc("FILE"), cl::cat(category)};
  cl::opt<std::string> markdown{"markdown",
                                cl::desc("Write the Markdown report"),
                                cl::value_desc("FILE"), cl::cat(category)};
  cl::opt<std::string> svg{"svg",
                           cl::desc("Write the SVG chart of SQNR per layer"),
                           cl::value_desc("FILE"), cl::cat(category)};
};
} // namespace

static int fail(const llvm::Twine &message) {
  llvm::errs() << "lowbit-report: error: " << message << "\n";
  return 1;
}

/// Prints the outputs and the five layers with the lowest isolated SQNR.
static void printSummary(const LayerReport &report) {
  llvm::outs() << llvm::format(
      "lowbit-report: %zu layers, weights %.2f -> %.2f MiB (%.2f bits/weight), "
      "%lld sample(s)\n",
      report.layers.size(), double(report.totalFloatBytes()) / (1 << 20),
      double(report.totalQuantizedBytes()) / (1 << 20), report.bitsPerWeight(),
      (long long)report.samples);
  for (const OutputResult &output : report.outputs)
    llvm::outs() << "  output " << output.name
                 << ": sqnr_db=" << formatSqnr(output.error.sqnrDb)
                 << llvm::format(" cosine=%.5f", output.error.cosine) << "\n";
  std::vector<const LayerResult *> order;
  for (const LayerResult &layer : report.layers)
    order.push_back(&layer);
  std::sort(order.begin(), order.end(), [](auto *a, auto *b) {
    // NaN (a broken layer) first, then ascending SQNR.
    double x = a->isolated.sqnrDb, y = b->isolated.sqnrDb;
    if (std::isnan(x) != std::isnan(y))
      return std::isnan(x);
    if (!std::isnan(x) && x != y)
      return x < y;
    return a->info.position < b->info.position;
  });
  llvm::outs() << "  most affected layers (isolated / end-to-end SQNR dB):\n";
  for (size_t i = 0; i < std::min<size_t>(order.size(), 5); ++i)
    llvm::outs() << "    " << order[i]->info.name << " (" << order[i]->scheme
                 << "): " << formatSqnr(order[i]->isolated.sqnrDb) << " / "
                 << formatSqnr(order[i]->endToEnd.sqnrDb) << "\n";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAllPasses();
  mlir::lowbit::registerAllLowbitPasses();
  Options opts;
  cl::HideUnrelatedOptions(opts.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "lowbit-report: per-layer error of a quantization pipeline on a float "
      "model\n\n"
      "  lowbit-report MODEL.mlir --pipeline=PIPELINE (--input=X.npy... | "
      "--samples=DIR)\n"
      "                [--json=FILE] [--markdown=FILE] [--svg=FILE]\n");

  std::string message;
  SweepSessionOptions sessionOptions = opts.common.toSessionOptions(
      argv[0], {opts.json, opts.markdown, opts.svg});
  SweepSession session;
  if (!session.open(sessionOptions, message))
    return fail(message);
  LayerSweep &sweep = session.getSweep();
  LayerReport report;
  if (!sweep.measure(opts.pipeline, "", /*isolated=*/true, /*endToEnd=*/true,
                     report, message))
    return fail(message);

  struct Output {
    const std::string &path;
    std::string (*format)(const LayerReport &);
  } outputs[] = {{opts.json, formatJson},
                 {opts.markdown, formatMarkdown},
                 {opts.svg, formatSvg}};
  for (const Output &output : outputs)
    if (!output.path.empty())
      if (std::string error =
              writeFileAtomically(output.path, output.format(report));
          !error.empty())
        return fail(error);
  printSummary(report);
  return 0;
}
