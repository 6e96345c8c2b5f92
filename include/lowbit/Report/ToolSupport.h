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
#include "mlir/IR/OwningOpRef.h"

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

} // namespace lowbit::report

#endif // LOWBIT_REPORT_TOOLSUPPORT_H
