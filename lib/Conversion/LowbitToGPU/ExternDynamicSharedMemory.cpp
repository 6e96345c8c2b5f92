//===- ExternDynamicSharedMemory.cpp - dynamic shared memory as extern ----===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// convert-gpu-to-nvvm lowers gpu.dynamic_shared_memory to an internal
// zero-length shared global; the NVPTX backend demotes such a global into
// the one function that uses it and prints it as a one-byte static
// variable, not as the dynamic shared memory:
//
//   llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32,
//       alignment = 16 : i64} : !llvm.array<0 x i8>
//   -> PTX (in the kernel)   .shared .align 16 .b8 __dynamic_shmem__0;
//
// A static variable may be placed before other static shared variables
// (mbarriers), so addresses computed from it can overlap them. Made an
// external declaration, it is what CUDA's `extern __shared__ char s[]` is:
//
//   llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32,
//       alignment = 16 : i64} : !llvm.array<0 x i8>
//   -> PTX   .extern .shared .align 16 .b8 __dynamic_shmem__0[];
//
// whose address is the start of the dynamic shared memory, after all
// static shared variables.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUEXTERNDYNAMICSHAREDMEMORYPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {

struct GPUExternDynamicSharedMemoryPass
    : public mlir::lowbit::impl::GPUExternDynamicSharedMemoryPassBase<
          GPUExternDynamicSharedMemoryPass> {
  void runOnOperation() override {
    getOperation().walk([](LLVM::GlobalOp global) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      if (global.getAddrSpace() !=
              static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared) ||
          !array || array.getNumElements() != 0 ||
          global.getLinkage() != LLVM::Linkage::Internal ||
          global.getValueOrNull() || !global.getInitializerRegion().empty())
        return;
      global.setLinkage(LLVM::Linkage::External);
    });
  }
};

} // namespace
