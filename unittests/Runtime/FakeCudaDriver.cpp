//===- FakeCudaDriver.cpp - a CUDA driver without a GPU, for tests --------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Every entry point CudaRuntime.cpp resolves, under the same (versioned)
// symbol names, behaving like a driver with one sm_90 device: allocations
// get fake increasing addresses, kernels "launch" without running, and the
// tensor map encoder checks its arguments as the real one does and writes a
// map derived from them. The calls a test checks are recorded in a
// FakeCudaState (FakeCudaDriver.h).
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"

#include <algorithm>
#include <cstring>

namespace {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using Handle = void *;

constexpr CUresult kSuccess = 0;
constexpr CUresult kInvalidValue = 1;
constexpr int kAttrComputeMajor = 75;

FakeCudaState state;

/// A distinct fake handle per call site kind and call.
Handle fakeHandle(uintptr_t base, int &counter) {
  return reinterpret_cast<Handle>(base + uintptr_t(++counter) * 0x10);
}
int modules, functions, streams, events;
int contextToken;

/// FNV-1a over `bytes`, continuing from `hash`.
uint64_t mix(uint64_t hash, const void *bytes, size_t size) {
  const auto *p = static_cast<const unsigned char *>(bytes);
  for (size_t i = 0; i < size; ++i)
    hash = (hash ^ p[i]) * 0x100000001b3ull;
  return hash;
}

} // namespace

extern "C" {

FakeCudaState *fakeCudaState() { return &state; }

CUresult cuInit(unsigned flags) {
  return flags == 0 ? kSuccess : kInvalidValue;
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case 0:
    *name = "CUDA_SUCCESS";
    return kSuccess;
  case 1:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return kSuccess;
  case 100:
    *name = "CUDA_ERROR_NO_DEVICE";
    return kSuccess;
  default:
    *name = nullptr;
    return kInvalidValue;
  }
}

CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return kSuccess;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  if (ordinal != 0)
    return kInvalidValue;
  *device = 0;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  if (length < 1)
    return kInvalidValue;
  std::strncpy(name, "Fake GPU", size_t(length));
  name[length - 1] = 0;
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice) {
  // sm_90: major 9; minor (76) and every other attribute 0.
  *value = attribute == kAttrComputeMajor ? 9 : 0;
  return kSuccess;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice) {
  *bytes = size_t(80) << 30;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(Handle *context, CUdevice) {
  *context = &contextToken;
  return kSuccess;
}

CUresult cuCtxSetCurrent(Handle context) {
  return context == &contextToken ? kSuccess : kInvalidValue;
}

CUresult cuModuleLoadData(Handle *module, const void *image) {
  if (!image)
    return kInvalidValue;
  *module = fakeHandle(0xA0000, modules);
  return kSuccess;
}

CUresult cuModuleLoadDataEx(Handle *module, const void *image, unsigned, int *,
                            void **) {
  return cuModuleLoadData(module, image);
}

CUresult cuModuleUnload(Handle module) {
  return module ? kSuccess : kInvalidValue;
}

CUresult cuModuleGetFunction(Handle *function, Handle module,
                             const char *name) {
  if (!module || !name)
    return kInvalidValue;
  *function = fakeHandle(0xB0000, functions);
  return kSuccess;
}

CUresult cuLaunchKernel(Handle function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, Handle stream,
                        void **params, void **extra) {
  state.launchCalls++;
  state.launchSequence = ++state.sequence;
  state.launchFunction = function;
  state.launchGrid[0] = gridX;
  state.launchGrid[1] = gridY;
  state.launchGrid[2] = gridZ;
  state.launchBlock[0] = blockX;
  state.launchBlock[1] = blockY;
  state.launchBlock[2] = blockZ;
  state.launchSharedBytes = sharedBytes;
  state.launchStream = stream;
  state.launchParams = params;
  state.launchExtra = extra;
  return function ? kSuccess : kInvalidValue;
}

CUresult cuStreamCreate(Handle *stream, unsigned) {
  *stream = fakeHandle(0xC0000, streams);
  return kSuccess;
}

CUresult cuStreamDestroy_v2(Handle) { return kSuccess; }
CUresult cuStreamSynchronize(Handle) { return kSuccess; }
CUresult cuStreamWaitEvent(Handle, Handle, unsigned) { return kSuccess; }

CUresult cuEventCreate(Handle *event, unsigned) {
  *event = fakeHandle(0xD0000, events);
  return kSuccess;
}

CUresult cuEventDestroy_v2(Handle) { return kSuccess; }
CUresult cuEventSynchronize(Handle) { return kSuccess; }
CUresult cuEventRecord(Handle, Handle) { return kSuccess; }

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  if (bytes == 0)
    return kInvalidValue;
  state.allocCalls++;
  ++state.sequence;
  state.lastAllocAddress = uint64_t(state.allocCalls) * 0x1000;
  state.lastAllocBytes = bytes;
  *pointer = state.lastAllocAddress;
  return kSuccess;
}

CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes, unsigned) {
  return cuMemAlloc_v2(pointer, bytes);
}

CUresult cuMemFree_v2(CUdeviceptr) { return kSuccess; }
CUresult cuMemcpyAsync(CUdeviceptr, CUdeviceptr, size_t, Handle) {
  return kSuccess;
}
CUresult cuMemsetD32Async(CUdeviceptr, unsigned, size_t, Handle) {
  return kSuccess;
}
CUresult cuMemsetD16Async(CUdeviceptr, unsigned short, size_t, Handle) {
  return kSuccess;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source,
                         size_t bytes) {
  if (!destination || !source)
    return kInvalidValue;
  state.copyToDeviceCalls++;
  ++state.sequence;
  state.copyToDeviceAddress = destination;
  state.copyToDeviceBytes = bytes;
  std::memcpy(state.copyToDeviceData, source,
              std::min(bytes, sizeof(state.copyToDeviceData)));
  return kSuccess;
}

CUresult cuCtxSynchronize() {
  state.ctxSynchronizeCalls++;
  state.ctxSynchronizeSequence = ++state.sequence;
  return kSuccess;
}

CUresult cuFuncSetAttribute(Handle function, int attribute, int value) {
  state.funcSetAttributeCalls++;
  state.funcSetAttributeSequence = ++state.sequence;
  state.funcSetAttributeFunction = function;
  state.funcSetAttributeAttribute = attribute;
  state.funcSetAttributeValue = value;
  if (!function)
    return kInvalidValue;
  return state.funcSetAttributeResult;
}

CUresult cuTensorMapEncodeTiled(void *map, int dataType, unsigned rank,
                                void *globalAddress, const uint64_t *globalDim,
                                const uint64_t *globalStrides,
                                const unsigned *boxDim,
                                const unsigned *elementStrides, int interleave,
                                int swizzle, int l2Promotion, int oobFill) {
  state.encodeCalls++;
  ++state.sequence;
  state.encodeMapAddress = reinterpret_cast<uintptr_t>(map);
  state.encodeDataType = dataType;
  state.encodeRank = rank;
  state.encodeGlobalAddress = reinterpret_cast<uintptr_t>(globalAddress);
  std::memset(state.encodeGlobalDim, 0, sizeof(state.encodeGlobalDim));
  std::memset(state.encodeGlobalStrides, 0, sizeof(state.encodeGlobalStrides));
  std::memset(state.encodeBoxDim, 0, sizeof(state.encodeBoxDim));
  std::memset(state.encodeElementStrides, 0,
              sizeof(state.encodeElementStrides));
  state.encodeInterleave = interleave;
  state.encodeSwizzle = swizzle;
  state.encodeL2Promotion = l2Promotion;
  state.encodeOobFill = oobFill;
  std::memset(state.encodedMap, 0, sizeof(state.encodedMap));
  // What the real encoder rejects (a subset): a map not 64-byte aligned, a
  // rank outside 1..5, a global address or stride not a multiple of 16, a
  // box side outside 1..256.
  if (!map || state.encodeMapAddress % 64 || rank < 1 || rank > 5 ||
      state.encodeGlobalAddress % 16)
    return kInvalidValue;
  for (unsigned i = 0; i < rank; ++i) {
    state.encodeGlobalDim[i] = globalDim[i];
    state.encodeBoxDim[i] = boxDim[i];
    state.encodeElementStrides[i] = elementStrides[i];
    if (boxDim[i] < 1 || boxDim[i] > 256)
      return kInvalidValue;
  }
  for (unsigned i = 0; i + 1 < rank; ++i) {
    state.encodeGlobalStrides[i] = globalStrides[i];
    if (globalStrides[i] % 16)
      return kInvalidValue;
  }

  // The map: "FAKETMAP", then bytes from a hash of every argument.
  uint64_t hash = 0xcbf29ce484222325ull;
  int enums[] = {dataType, interleave, swizzle, l2Promotion, oobFill};
  hash = mix(hash, enums, sizeof(enums));
  hash = mix(hash, &rank, sizeof(rank));
  hash = mix(hash, &state.encodeGlobalAddress, sizeof(uintptr_t));
  hash = mix(hash, globalDim, rank * sizeof(uint64_t));
  hash = mix(hash, globalStrides, (rank - 1) * sizeof(uint64_t));
  hash = mix(hash, boxDim, rank * sizeof(unsigned));
  hash = mix(hash, elementStrides, rank * sizeof(unsigned));
  unsigned char *bytes = state.encodedMap;
  std::memcpy(bytes, "FAKETMAP", 8);
  for (size_t i = 8; i < sizeof(state.encodedMap); ++i) {
    hash = mix(hash, &i, sizeof(i));
    bytes[i] = static_cast<unsigned char>(hash >> 24);
  }
  std::memcpy(map, bytes, sizeof(state.encodedMap));
  return kSuccess;
}

} // extern "C"
