//===- ToolSupport.cpp - what lowbit-report and its siblings share --------===//

#include "lowbit/Report/ToolSupport.h"

#include "lowbit/Tools/CPULowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace ::lowbit::report;

std::string lowbit::report::findLowbitRun(const char *argv0,
                                          const std::string &override,
                                          std::string &error) {
  std::string path = override;
  if (path.empty()) {
    std::string self = llvm::sys::fs::getMainExecutable(
        argv0, reinterpret_cast<void *>(&findLowbitRun));
    llvm::SmallString<256> sibling(llvm::sys::path::parent_path(self));
    llvm::sys::path::append(sibling, "lowbit-run");
    path = sibling.str().str();
  }
  if (!llvm::sys::fs::can_execute(path))
    error = "cannot execute lowbit-run at '" + path + "' (--lowbit-run)";
  return path;
}

mlir::OwningOpRef<mlir::ModuleOp>
lowbit::report::loadModel(const std::string &path, mlir::MLIRContext *context,
                          std::string &error) {
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, context);
  auto file = mlir::openInputFile(path, &error);
  if (!file)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, context);
  if (!module)
    error = "cannot parse '" + path + "'";
  return module;
}

bool WorkDir::create(const std::string &requested, std::string &error) {
  if (requested.empty()) {
    llvm::SmallString<256> dir;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("lowbit-report", dir)) {
      error = "cannot create a temporary directory: " + ec.message();
      return false;
    }
    path = dir.str().str();
    temporary = true;
    return true;
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(requested)) {
    error = "cannot create --work-dir '" + requested + "': " + ec.message();
    return false;
  }
  path = requested;
  return true;
}

WorkDir::~WorkDir() {
  if (temporary)
    llvm::sys::fs::remove_directories(path);
}

bool lowbit::report::collectSamples(const std::vector<std::string> &inputs,
                                    const std::string &samplesDir,
                                    mlir::ModuleOp module,
                                    const std::string &entry,
                                    std::vector<Sample> &samples,
                                    std::string &error) {
  if (inputs.empty() == samplesDir.empty()) {
    error = "give the samples either as --input=FILE.npy (one sample, a file "
            "per argument) or as --samples=DIR, not both or neither";
    return false;
  }
  if (!inputs.empty()) {
    samples.push_back(inputs);
    return true;
  }
  auto func = module.lookupSymbol<mlir::func::FuncOp>(entry);
  return listSamples(samplesDir, func ? func.getNumArguments() : 0, samples,
                     error);
}

bool lowbit::report::checkOutputPaths(const std::vector<std::string> &paths,
                                      std::string &error) {
  for (const std::string &path : paths) {
    if (path.empty())
      continue;
    llvm::StringRef dir = llvm::sys::path::parent_path(path);
    if (!dir.empty() && !llvm::sys::fs::is_directory(dir)) {
      error = "cannot write '" + path + "': directory '" + dir.str() +
              "' does not exist";
      return false;
    }
  }
  return true;
}

bool SweepSession::open(const SweepSessionOptions &options,
                        std::string &error) {
  if (!checkOutputPaths(options.outputs, error))
    return false;
  std::string lowbitRun =
      findLowbitRun(options.argv0, options.lowbitRun, error);
  if (!error.empty())
    return false;
  mlir::lowbit::registerCPUToolDialects(registry);
  context = std::make_unique<mlir::MLIRContext>(registry);
  context->loadAllAvailableDialects();
  module = loadModel(options.model, context.get(), error);
  if (!module)
    return false;
  if (!collectSamples(options.inputs, options.samplesDir, *module,
                      options.entry, samples, error))
    return false;
  if (!workDir.create(options.workDir, error))
    return false;
  SweepOptions sweepOptions;
  sweepOptions.lowbitRun = lowbitRun;
  sweepOptions.entry = options.entry;
  sweepOptions.workDir = workDir.getPath();
  sweep = std::make_unique<LayerSweep>(
      *module, llvm::sys::path::filename(options.model).str(), sweepOptions);
  return sweep->prepare(samples, error);
}

SweepCommandLine::SweepCommandLine(llvm::cl::OptionCategory &category)
    : model(llvm::cl::Positional, llvm::cl::Required,
            llvm::cl::desc("<float-model.mlir|.mlirbc>"),
            llvm::cl::cat(category)),
      inputs("input",
             llvm::cl::desc("One sample: a .npy file per argument, in order"),
             llvm::cl::value_desc("file.npy"), llvm::cl::cat(category)),
      samples("samples",
              llvm::cl::desc("Samples: DIR/<sample>/input_<i>.npy, or "
                             "DIR/*.npy for a one-argument function (as "
                             "lowbit-run --calibrate)"),
              llvm::cl::value_desc("DIR"), llvm::cl::cat(category)),
      entry("entry", llvm::cl::desc("Function to run"), llvm::cl::init("main"),
            llvm::cl::cat(category)),
      workDir("work-dir",
              llvm::cl::desc("Keep the models and outputs of the runs in DIR "
                             "(default: a temporary directory, removed)"),
              llvm::cl::value_desc("DIR"), llvm::cl::cat(category)),
      lowbitRun("lowbit-run",
                llvm::cl::desc("The lowbit-run executable (default: next to "
                               "this tool)"),
                llvm::cl::value_desc("PATH"), llvm::cl::cat(category)) {}

SweepSessionOptions
SweepCommandLine::toSessionOptions(const char *argv0,
                                   std::vector<std::string> outputs) const {
  SweepSessionOptions options;
  options.argv0 = argv0;
  options.lowbitRun = lowbitRun;
  options.model = model;
  options.inputs.assign(inputs.begin(), inputs.end());
  options.samplesDir = samples;
  options.entry = entry;
  options.workDir = workDir;
  options.outputs = std::move(outputs);
  return options;
}
