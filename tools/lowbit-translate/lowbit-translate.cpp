//===- lowbit-translate.cpp - import models into lowbit IR ----------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// An mlir-translate-style driver for lowbit's importers:
//
//   lowbit-translate --import-onnx model.onnx [-o out.mlir]
//       [--input-shape=name:1x128]... [--emit-bytecode]
//
// The output is written atomically: to a temporary file next to the
// destination, renamed over it once the whole module is written. On any
// error the tool prints a diagnostic, writes nothing and exits 1.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/ONNX/ImportONNX.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace llvm;

static int writeAtomically(StringRef path,
                           llvm::function_ref<void(raw_ostream &)> write) {
  if (path == "-") {
    write(outs());
    outs().flush();
    return 0;
  }
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%");
  if (!temp) {
    errs() << "error: cannot create a temporary file for '" << path
           << "': " << toString(temp.takeError()) << "\n";
    return 1;
  }
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    write(os);
    os.flush();
    if (os.has_error()) {
      errs() << "error: cannot write '" << path << "': " << os.error().message()
             << "\n";
      os.clear_error();
      consumeError(temp->discard());
      return 1;
    }
  }
  if (Error err = temp->keep(path)) {
    errs() << "error: cannot write '" << path
           << "': " << toString(std::move(err)) << "\n";
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::opt<std::string> inputPath{cl::Positional, cl::Required,
                                 cl::desc("<model>")};
  cl::opt<bool> importOnnx{"import-onnx",
                           cl::desc("Import an ONNX model (.onnx)")};
  cl::opt<std::string> outputPath{"o", cl::desc("Output file (default: -)"),
                                  cl::value_desc("file"), cl::init("-")};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Shape of a graph input, fixing its dynamic dims: "
               "name:D0xD1x... (repeatable)"),
      cl::value_desc("name:shape")};
  cl::opt<bool> emitBytecode{"emit-bytecode", cl::desc("Write MLIR bytecode")};
  // --mlir-print-debuginfo (locations), --mlir-elide-resource-strings...
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "lowbit model importer\n");

  if (!importOnnx) {
    errs() << "error: choose a translation (--import-onnx)\n";
    return 1;
  }
  lowbit::OnnxImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string name, error;
    std::vector<int64_t> dims;
    if (!lowbit::parseOnnxInputShape(spec, name, dims, error)) {
      errs() << "error: " << error << "\n";
      return 1;
    }
    options.inputShapes.emplace_back(name, dims);
  }

  MLIRContext context;
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      lowbit::importOnnxFile(inputPath, &context, options);
  if (!module)
    return 1;

  LogicalResult written = success();
  int rc = writeAtomically(outputPath, [&](raw_ostream &os) {
    if (emitBytecode) {
      written = writeBytecodeToFile(*module, os);
      return;
    }
    OpPrintingFlags flags;
    module->print(os, flags);
  });
  if (rc == 0 && failed(written)) {
    errs() << "error: cannot write bytecode\n";
    return 1;
  }
  return rc;
}
