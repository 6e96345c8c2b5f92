//===- LowbitBufferization.cpp - lowbit.prefetch on buffers ---------------===//
//
// lowbit.prefetch is the one lowbit op that survives to bufferization (the
// CPU kernels emit it on their constant weight tensors):
//
//   lowbit.prefetch %codes[%i] : tensor<2097152xi32>
// ->
//   memref.prefetch %buffer[%i], read, locality<3>, data : memref<2097152xi32>
//
// It reads no values, so it neither forces a copy nor aliases anything.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::lowbit;

LogicalResult PrefetchOp::verify() {
  int64_t rank = getSource().getType().getRank();
  if (int64_t(getIndices().size()) != rank)
    return emitOpError() << "needs one index per dimension of the source ("
                         << rank << "), got " << getIndices().size();
  return success();
}

bool PrefetchOp::bufferizesToMemoryRead(OpOperand &,
                                        const bufferization::AnalysisState &) {
  return false;
}

bool PrefetchOp::bufferizesToMemoryWrite(OpOperand &,
                                         const bufferization::AnalysisState &) {
  return false;
}

bufferization::AliasingValueList
PrefetchOp::getAliasingValues(OpOperand &,
                              const bufferization::AnalysisState &) {
  return {};
}

LogicalResult
PrefetchOp::bufferize(RewriterBase &rewriter,
                      const bufferization::BufferizationOptions &options,
                      bufferization::BufferizationState &state) {
  FailureOr<Value> buffer =
      bufferization::getBuffer(rewriter, getSource(), options, state);
  if (failed(buffer))
    return failure();
  rewriter.setInsertionPoint(*this);
  memref::PrefetchOp::create(rewriter, getLoc(), *buffer, getIndices(),
                             /*isWrite=*/false, /*localityHint=*/3,
                             /*isDataCache=*/true);
  rewriter.eraseOp(*this);
  return success();
}
