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
//   lowbit-translate --export-onnx quantized.mlirbc --onnx-source=model.onnx
//       -o out.onnx [--onnx-matmulnbits] [--onnx-weights-only]
//       [--onnx-external-data-threshold=BYTES]
//
// The output is written atomically: to a temporary file next to the
// destination, renamed over it once the whole module is written. On any
// error the tool prints a diagnostic, writes nothing and exits 1.
//
//===----------------------------------------------------------------------===//

#include "lowbit/InitAll.h"
#include "lowbit/Target/ONNX/ExportONNX.h"
#include "lowbit/Target/ONNX/ImportONNX.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

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
  cl::opt<bool> exportOnnx{
      "export-onnx",
      cl::desc("Export a model quantized by lowbit (.mlir/.mlirbc) as ONNX, "
               "patching the ONNX model it was imported from")};
  cl::opt<std::string> onnxSource{
      "onnx-source",
      cl::desc("With --export-onnx: the ONNX model the input was imported "
               "from"),
      cl::value_desc("model.onnx")};
  cl::opt<bool> onnxMatMulNBits{
      "onnx-matmulnbits",
      cl::desc("With --export-onnx: write 4-bit group-wise MatMul weights as "
               "com.microsoft MatMulNBits (ONNX Runtime) instead of "
               "DequantizeLinear")};
  cl::opt<bool> onnxWeightsOnly{
      "onnx-weights-only",
      cl::desc("With --export-onnx: export quantized weights only, keeping "
               "activations float")};
  cl::opt<int64_t> onnxExternalThreshold{
      "onnx-external-data-threshold",
      cl::desc("With --export-onnx: initializers of at least this many bytes "
               "go to <output>.data (-1: none)"),
      cl::init(1024)};
  // --mlir-print-debuginfo (locations), --mlir-elide-resource-strings...
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "lowbit model importer\n");

  if (importOnnx == exportOnnx) {
    errs() << "error: choose one translation (--import-onnx or "
              "--export-onnx)\n";
    return 1;
  }
  if (exportOnnx) {
    if (onnxSource.empty()) {
      errs() << "error: --export-onnx needs --onnx-source=FILE: the ONNX "
                "model the input was imported from (its quantized nodes are "
                "rewritten, every other node is kept)\n";
      return 1;
    }
    if (outputPath == "-") {
      errs() << "error: --export-onnx needs -o FILE.onnx (ONNX is binary "
                "and may come with an external data file)\n";
      return 1;
    }
    DialectRegistry registry;
    registerAllDialects(registry);
    mlir::lowbit::registerAllLowbitDialects(registry);
    MLIRContext context(registry);
    SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    std::string message;
    auto file = openInputFile(inputPath, &message);
    if (!file) {
      errs() << "error: " << message << "\n";
      return 1;
    }
    sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
    lowbit::OnnxExportOptions exportOptions;
    exportOptions.sourcePath = onnxSource;
    exportOptions.matmulNBits = onnxMatMulNBits;
    exportOptions.weightsOnly = onnxWeightsOnly;
    exportOptions.externalDataThreshold = onnxExternalThreshold;
    return failed(lowbit::exportOnnxFile(*module, outputPath, exportOptions))
               ? 1
               : 0;
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
