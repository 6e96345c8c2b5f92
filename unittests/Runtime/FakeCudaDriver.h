//===- FakeCudaDriver.h - what the fake CUDA driver was called with -------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// FakeCudaDriver.cpp is a shared library with the CUDA driver's entry points
// (the symbols the runtime resolves), so CudaRuntimeFakeDriverTest.cpp can
// run the runtime's host ABI without a GPU. It records the arguments of the
// calls a test checks in one FakeCudaState, which the test reads through the
// library's fakeCudaState() (found with dlsym: the runtime opens the library
// with RTLD_LOCAL, so its symbols are not global).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_RUNTIME_FAKECUDADRIVER_H
#define LOWBIT_UNITTESTS_RUNTIME_FAKECUDADRIVER_H

#include <cstddef>
#include <cstdint>

/// Every recorded call, and the switches a test sets to make a call fail.
/// `sequence` counts the recorded calls; each *Sequence field is its value
/// at that call, which orders them.
struct FakeCudaState {
  int sequence;

  // cuMemAlloc_v2: device addresses 0x1000, 0x2000, ... in order.
  int allocCalls;
  uint64_t lastAllocAddress;
  size_t lastAllocBytes;

  // cuMemcpyHtoD_v2: the bytes of the last copy (up to 256).
  int copyToDeviceCalls;
  uint64_t copyToDeviceAddress;
  size_t copyToDeviceBytes;
  unsigned char copyToDeviceData[256];

  // cuCtxSynchronize.
  int ctxSynchronizeCalls;
  int ctxSynchronizeSequence;

  // cuTensorMapEncodeTiled: the arguments of the last call, and the 128
  // bytes it wrote (derived from the arguments, so equal arguments give
  // equal maps and different ones different maps).
  int encodeCalls;
  uintptr_t encodeMapAddress;
  int encodeDataType;
  unsigned encodeRank;
  uintptr_t encodeGlobalAddress;
  uint64_t encodeGlobalDim[5];
  uint64_t encodeGlobalStrides[4];
  unsigned encodeBoxDim[5];
  unsigned encodeElementStrides[5];
  int encodeInterleave;
  int encodeSwizzle;
  int encodeL2Promotion;
  int encodeOobFill;
  unsigned char encodedMap[128];

  // cuFuncSetAttribute; fails with funcSetAttributeResult when that is not
  // 0.
  int funcSetAttributeCalls;
  int funcSetAttributeSequence;
  void *funcSetAttributeFunction;
  int funcSetAttributeAttribute;
  int funcSetAttributeValue;
  int funcSetAttributeResult;

  // cuLaunchKernel.
  int launchCalls;
  int launchSequence;
  void *launchFunction;
  unsigned launchGrid[3];
  unsigned launchBlock[3];
  unsigned launchSharedBytes;
  void *launchStream;
  void **launchParams;
  void **launchExtra;
};

/// The name the test looks up; returns the library's one state.
#define FAKE_CUDA_STATE_SYMBOL "fakeCudaState"
extern "C" FakeCudaState *fakeCudaState();

#endif // LOWBIT_UNITTESTS_RUNTIME_FAKECUDADRIVER_H
