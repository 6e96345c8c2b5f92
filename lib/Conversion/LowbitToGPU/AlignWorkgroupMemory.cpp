//===- AlignWorkgroupMemory.cpp - align kernels' shared memory ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Sets `llvm.align = <alignment>` on every workgroup (shared-memory)
// attribution of a gpu.func that has none:
//
//   gpu.func @k(...) workgroup(%s : memref<2x64x40xf16,
//   #gpu.address_space<workgroup>>)
//   -> gpu.func @k(...) workgroup(%s : memref<...> {llvm.align = 16 : i64})
//
// convert-gpu-to-nvvm makes each attribution a `.shared` global aligned to
// this attribute, and without it to its element type (2 bytes for f16, 1
// for bytes), while cp.async of 16 bytes and ldmatrix rows need 16-byte
// aligned shared addresses. gpu.launch has no place for the attribute, so
// it is set after gpu-kernel-outlining.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUALIGNWORKGROUPMEMORYPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {

struct GPUAlignWorkgroupMemoryPass
    : public mlir::lowbit::impl::GPUAlignWorkgroupMemoryPassBase<
          GPUAlignWorkgroupMemoryPass> {
  using GPUAlignWorkgroupMemoryPassBase::GPUAlignWorkgroupMemoryPassBase;

  void runOnOperation() override {
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    Builder b(&getContext());
    getOperation().walk([&](gpu::GPUFuncOp func) {
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e; ++i)
        if (!func.getWorkgroupAttributionAttr(i, name))
          func.setWorkgroupAttributionAttr(i, name,
                                           b.getI64IntegerAttr(alignment));
    });
  }
};

} // namespace
