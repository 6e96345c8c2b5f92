//===- GPUDeviceBuffers.cpp - device copies of the buffers kernels use ----===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Host buffers that a gpu.launch captures get a device mirror, kept in sync
// around the kernels and the host code that touches them:
//
//   func.func @f(%x: memref<4x64xf16>) -> memref<4x16xf16> {
//     %w = memref.get_global @weight : memref<16x32xi8>
//     %y = memref.alloc() : memref<4x16xf16>
//     gpu.launch ... { ... %x ... %w ... memref.store ..., %y ... }
//     return %y
//   }
//
// becomes
//
//   func.func @f(%x: memref<4x64xf16>) -> memref<4x16xf16> {
//     %dx = gpu.alloc() : memref<4x64xf16>
//     gpu.memcpy %dx, %x                    // arguments: copied in
//     %w = memref.get_global @weight : memref<16x32xi8>
//     %dw = gpu.alloc() : memref<16x32xi8>
//     gpu.memcpy %dw, %w                    // globals: copied in
//     %y = memref.alloc() : memref<4x16xf16>
//     %dy = gpu.alloc() : memref<4x16xf16>  // fresh buffers: no copy
//     gpu.launch ... { ... %dx ... %dw ... memref.store ..., %dy ... }
//     gpu.memcpy %y, %dy                    // the kernel wrote it, the
//                                           // return reads it
//     gpu.dealloc %dx  gpu.dealloc %dw  gpu.dealloc %dy
//     return %y
//   }
//
// The state of each buffer along the body block is one of: in sync, newer
// on the device (a kernel may have written it) or newer on the host (a host
// op may have written it); copies are inserted only on the transitions that
// need them. Weights are copied on every call (hoisting them into
// device-resident globals is future work).
//
// lowbit.staged_matmul counts as device code too: its buffer operands are
// mirrored like a kernel's captures (lowbit-gpu-staged-matmul, after this
// pass, builds its TMA tensor maps from the device buffers).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Conversion/Passes.h"
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::lowbit {
#define GEN_PASS_DEF_GPUDEVICEBUFFERSPASS
#include "lowbit/Conversion/Passes.h.inc"
} // namespace mlir::lowbit

using namespace mlir;

namespace {

/// A view op whose result aliases its (single) source memref.
Value viewSource(Operation *op) {
  if (auto view = dyn_cast_or_null<ViewLikeOpInterface>(op))
    return view.getViewSource();
  return nullptr;
}

/// True when `op` (or an op nested in it) may write one of `values` or a
/// view of one. Ops without declared memory effects are assumed to write.
bool mayWrite(Operation *op, llvm::SmallPtrSetImpl<Value> &values) {
  bool writes = false;
  op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (llvm::none_of(nested->getOperands(),
                      [&](Value v) { return values.contains(v); }))
      return WalkResult::advance();
    if (Value source = viewSource(nested)) {
      if (values.contains(source))
        for (Value result : nested->getResults())
          values.insert(result);
      return WalkResult::advance();
    }
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects) {
      if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
        return WalkResult::advance();
      writes = true;
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const MemoryEffects::EffectInstance &effect : instances) {
      if (!isa<MemoryEffects::Write, MemoryEffects::Free>(effect.getEffect()))
        continue;
      Value target = effect.getValue();
      if (!target || values.contains(target)) {
        writes = true;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return writes;
}

/// Where a buffer stands relative to its device mirror.
enum class Sync { InSync, DeviceNewer, HostNewer };

struct GPUDeviceBuffersPass
    : public lowbit::impl::GPUDeviceBuffersPassBase<GPUDeviceBuffersPass> {
  void runOnOperation() override;

private:
  /// Mirrors `root` and rewrites the device ops in `deviceOps` that use it.
  LogicalResult mirror(Value root, ArrayRef<Operation *> deviceOps);
};

} // namespace

/// The buffer a captured memref views: a function argument, a memref.alloc
/// or a memref.get_global, or null when it is something else.
static Value findRoot(Value value) {
  while (Value source = viewSource(value.getDefiningOp()))
    value = source;
  if (isa<BlockArgument>(value))
    return value;
  if (isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(
          value.getDefiningOp()))
    return value;
  return nullptr;
}

/// The memrefs defined outside device op `op` (a gpu.launch or a
/// lowbit.staged_matmul) that it uses.
static llvm::SetVector<Value> deviceUses(Operation *op) {
  llvm::SetVector<Value> used;
  if (auto launch = dyn_cast<gpu::LaunchOp>(op)) {
    getUsedValuesDefinedAbove(launch.getBody(), used);
  } else {
    for (Value operand : op->getOperands())
      used.insert(operand);
  }
  llvm::SetVector<Value> memrefs;
  for (Value value : used)
    if (isa<MemRefType>(value.getType()))
      memrefs.insert(value);
  return memrefs;
}

void GPUDeviceBuffersPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  Block &body = func.getBody().front();

  SmallVector<Operation *> deviceOps;
  bool nested = false;
  func.walk([&](Operation *op) {
    if (!isa<gpu::LaunchOp, lowbit::StagedMatmulOp>(op))
      return;
    deviceOps.push_back(op);
    if (op->getBlock() != &body) {
      op->emitError("lowbit-gpu-device-buffers: a ")
          << op->getName()
          << " nested in host control flow is not supported (kernels must "
             "be in the function's body block)";
      nested = true;
    }
  });
  if (nested)
    return signalPassFailure();

  // The buffers, in order of first use.
  llvm::SetVector<Value> roots;
  for (Operation *launch : deviceOps) {
    for (Value value : deviceUses(launch)) {
      Value root = findRoot(value);
      auto type = root ? dyn_cast<MemRefType>(root.getType()) : MemRefType();
      if (!root ||
          (isa<BlockArgument>(root) &&
           cast<BlockArgument>(root).getOwner() != &body) ||
          (root.getDefiningOp() && root.getDefiningOp()->getBlock() != &body)) {
        launch->emitError(
            "lowbit-gpu-device-buffers: the kernel uses a memref ")
            << value.getType()
            << " that is not a view of a function argument, memref.alloc or "
               "memref.get_global in the function's body block";
        return signalPassFailure();
      }
      if (!type || !type.getLayout().isIdentity() || type.getMemorySpace()) {
        launch->emitError("lowbit-gpu-device-buffers: cannot mirror ")
            << root.getType()
            << " on the device (expected an identity layout in the default "
               "memory space)";
        return signalPassFailure();
      }
      roots.insert(root);
    }
  }
  for (Value root : roots)
    if (failed(mirror(root, deviceOps)))
      return signalPassFailure();
}

LogicalResult GPUDeviceBuffersPass::mirror(Value root,
                                           ArrayRef<Operation *> deviceOps) {
  Block &body =
      *(isa<BlockArgument>(root) ? cast<BlockArgument>(root).getOwner()
                                 : root.getDefiningOp()->getBlock());
  Location loc = root.getLoc();
  auto type = cast<MemRefType>(root.getType());
  OpBuilder builder(root.getContext());
  if (Operation *rootDef = root.getDefiningOp())
    builder.setInsertionPointAfter(rootDef);
  else
    builder.setInsertionPointToStart(&body);

  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      dynamicSizes.push_back(memref::DimOp::create(builder, loc, root, i));
  auto alloc = gpu::AllocOp::create(
      builder, loc, type, /*asyncToken=*/Type(), /*asyncDependencies=*/{},
      dynamicSizes, /*symbolOperands=*/{}, /*hostShared=*/UnitAttr());
  Value device = alloc.getMemref();
  Operation *def = root.getDefiningOp();
  bool initialized = !def || isa<memref::GetGlobalOp>(def);
  if (initialized)
    gpu::MemcpyOp::create(builder, loc, /*asyncToken=*/Type(), {}, device,
                          root);

  // Host values that view the buffer, as the walk below meets them.
  llvm::SmallPtrSet<Value, 8> hostViews;
  hostViews.insert(root);
  Sync state = Sync::InSync;
  bool released = false;
  auto copy = [&](Operation *before, Value dst, Value src) {
    OpBuilder b(before);
    gpu::MemcpyOp::create(b, loc, Type(), {}, dst, src);
  };

  Operation *start = alloc->getNextNode();
  if (initialized)
    start = start->getNextNode();
  for (Operation *op = start; op && !released;) {
    Operation *next = op->getNextNode();
    bool uses = false;
    op->walk([&](Operation *nestedOp) {
      uses |= llvm::any_of(nestedOp->getOperands(),
                           [&](Value v) { return hostViews.contains(v); });
    });
    if (!uses) {
      op = next;
      continue;
    }

    if (llvm::is_contained(deviceOps, op)) {
      Operation *launch = op;
      if (state == Sync::HostNewer)
        copy(launch, device, root);
      // Re-create each captured view on the mirror, before the launch.
      llvm::SetVector<Value> captured = deviceUses(launch);
      IRMapping mapping;
      mapping.map(root, device);
      OpBuilder b(launch);
      llvm::SmallPtrSet<Value, 8> inside;
      for (Value value : captured) {
        if (!hostViews.contains(value))
          continue;
        SmallVector<Operation *> chain;
        for (Value v = value; v != root; v = viewSource(v.getDefiningOp()))
          chain.push_back(v.getDefiningOp());
        for (Operation *view : llvm::reverse(chain))
          if (!mapping.contains(view->getResult(0)))
            b.clone(*view, mapping);
        Value onDevice = mapping.lookup(value);
        value.replaceUsesWithIf(onDevice, [&](OpOperand &use) {
          return launch->isAncestor(use.getOwner());
        });
        inside.insert(onDevice);
      }
      if (mayWrite(launch, inside))
        state = Sync::DeviceNewer;
      else if (state == Sync::HostNewer)
        state = Sync::InSync;
      op = next;
      continue;
    }

    if (Value source = viewSource(op); source && hostViews.contains(source)) {
      for (Value result : op->getResults())
        hostViews.insert(result);
      op = next;
      continue;
    }

    if (auto dealloc = dyn_cast<memref::DeallocOp>(op);
        dealloc && hostViews.contains(dealloc.getMemref())) {
      OpBuilder b(op);
      gpu::DeallocOp::create(b, loc, Type(), {}, device);
      released = true;
      break;
    }

    // Any other host op reading or writing the buffer.
    if (state == Sync::DeviceNewer)
      copy(op, root, device);
    llvm::SmallPtrSet<Value, 8> views(hostViews.begin(), hostViews.end());
    state = mayWrite(op, views) ? Sync::HostNewer : Sync::InSync;
    op = next;
  }

  if (!released) {
    // Arguments and globals outlive the call: the caller (or the next call)
    // reads what the kernels wrote.
    Operation *terminator = body.getTerminator();
    if (state == Sync::DeviceNewer &&
        (isa<BlockArgument>(root) ||
         isa<memref::GetGlobalOp>(root.getDefiningOp())))
      copy(terminator, root, device);
    OpBuilder b(terminator);
    gpu::DeallocOp::create(b, loc, Type(), {}, device);
  }
  return success();
}
