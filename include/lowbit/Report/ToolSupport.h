//===- ToolSupport.h - what lowbit-report and its siblings share -*- C++
//-*-===//
//
// Command-line plumbing of the tools built on LayerSweep: finding
// lowbit-run, loading the float model, the directory for the runs, the
// samples and the output files.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_REPORT_TOOLSUPPORT_H
#define LOWBIT_REPORT_TOOLSUPPORT_H

#include "lowbit/Report/LayerSweep.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"

#include <memory>
#include <string>
#include <vector>

namespace lowbit::report {

/// `override` when not empty, else lowbit-run next to the running
/// executable (`argv0`). Sets `error` when it cannot be executed.
std::string findLowbitRun(const char *argv0, const std::string &override,
                          std::string &error);

/// Parses `path` (.mlir or .mlirbc); diagnostics go to stderr.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(const std::string &path,
                                            mlir::MLIRContext *context,
                                            std::string &error);

/// A directory for the runs: `path`, created when missing and kept, or a
/// fresh temporary one removed when this goes away.
class WorkDir {
public:
  bool create(const std::string &path, std::string &error);
  const std::string &getPath() const { return path; }
  ~WorkDir();

private:
  std::string path;
  bool temporary = false;
};

/// The samples of the --input files (one sample) or of the --samples
/// directory (listSamples); exactly one of them must be given.
bool collectSamples(const std::vector<std::string> &inputs,
                    const std::string &samplesDir, mlir::ModuleOp module,
                    const std::string &entry, std::vector<Sample> &samples,
                    std::string &error);

/// An error when the directory of an output file does not exist, so that a
/// tool fails before its runs rather than after.
bool checkOutputPaths(const std::vector<std::string> &paths,
                      std::string &error);

/// What a tool on LayerSweep is given on its command line.
struct SweepSessionOptions {
  /// argv[0], to find lowbit-run next to the tool.
  const char *argv0 = nullptr;
  /// --lowbit-run (empty: next to the tool).
  std::string lowbitRun;
  std::string model;
  std::vector<std::string> inputs;
  std::string samplesDir;
  std::string entry = "main";
  /// --work-dir (empty: a temporary directory).
  std::string workDir;
  /// Output files, checked before anything runs.
  std::vector<std::string> outputs;
};

/// The options every tool on LayerSweep takes, declared once: the model
/// (positional), --input / --samples, --entry, --work-dir, --lowbit-run.
struct SweepCommandLine {
  explicit SweepCommandLine(llvm::cl::OptionCategory &category);
  /// The session options these give, with `outputs` to check.
  SweepSessionOptions toSessionOptions(const char *argv0,
                                       std::vector<std::string> outputs) const;

  llvm::cl::opt<std::string> model;
  llvm::cl::list<std::string> inputs;
  llvm::cl::opt<std::string> samples;
  llvm::cl::opt<std::string> entry;
  llvm::cl::opt<std::string> workDir;
  llvm::cl::opt<std::string> lowbitRun;
};

/// Everything such a tool sets up before it measures: the float model
/// loaded in a context with every dialect, its samples, the directory for
/// the runs, and the sweep with its float reference run done.
class SweepSession {
public:
  bool open(const SweepSessionOptions &options, std::string &error);
  LayerSweep &getSweep() { return *sweep; }
  const std::string &getWorkDir() const { return workDir.getPath(); }
  size_t getNumSamples() const { return samples.size(); }

private:
  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<Sample> samples;
  WorkDir workDir;
  std::unique_ptr<LayerSweep> sweep;
};

} // namespace lowbit::report

#endif // LOWBIT_REPORT_TOOLSUPPORT_H
