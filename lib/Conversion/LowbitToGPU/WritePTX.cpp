//===- WritePTX.cpp - write the PTX of gpu.binary ops to files ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// A read-only pass for inspection:
//
//   gpu.binary @linear_kernel [#gpu.object<#nvvm.target<chip = "sm_90a">,
//                                          assembly = "//\n.version 8.0 ...">]
//
// writes <dir>/linear_kernel.sm_90a.ptx with the assembly string, and leaves
// the IR as it is.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_WRITEPTXPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {

struct WritePTXPass : public lowbit::impl::WritePTXPassBase<WritePTXPass> {
  using WritePTXPassBase::WritePTXPassBase;

  void runOnOperation() override {
    if (dir.empty()) {
      getOperation().emitError("lowbit-write-ptx: the dir option is required");
      return signalPassFailure();
    }
    if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
      getOperation().emitError("lowbit-write-ptx: cannot create '")
          << dir << "': " << ec.message();
      return signalPassFailure();
    }
    if (getOperation().getOps<gpu::BinaryOp>().empty()) {
      getOperation().emitError("lowbit-write-ptx: the module has no "
                               "gpu.binary (format=none stops before "
                               "serialization)");
      return signalPassFailure();
    }
    getOperation().walk([&](gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(attr);
        if (!object || object.getFormat() != gpu::CompilationTarget::Assembly) {
          binary.emitError("lowbit-write-ptx: @")
              << binary.getSymName()
              << " holds no PTX (lower with format=isa to write it)";
          signalPassFailure();
          return WalkResult::interrupt();
        }
        std::string chip = "unknown";
        if (auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget()))
          chip = target.getChip().str();
        llvm::SmallString<256> path(dir);
        llvm::sys::path::append(path,
                                binary.getSymName() + "." + chip + ".ptx");
        std::error_code ec;
        llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
        if (!ec) {
          os << object.getObject().getValue();
          os.close();
          ec = os.error();
        }
        if (ec) {
          binary.emitError("lowbit-write-ptx: cannot write '")
              << path << "': " << ec.message();
          signalPassFailure();
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
  }
};

} // namespace
