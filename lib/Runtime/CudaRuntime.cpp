//===- CudaRuntime.cpp - the host ABI of GPU code, over the CUDA driver ---===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Each mgpu* function is one driver call (or two) on device 0's primary
// context:
//
//   mgpuModuleLoadJIT(ptx, O)          -> cuModuleLoadDataEx(ptx, O, error log)
//   mgpuLaunchKernel(f, grid, block..) -> cuLaunchKernel(f, grid, block, ..)
//   mgpuMemAlloc(n, s, shared)         -> cuMemAlloc / cuMemAllocManaged
//   mgpuMemcpy(d, s, n, stream)        -> cuMemcpyAsync (unified addressing
//                                         picks the direction)
//   mgpuTensorMapEncodeTiledMemref(..) -> cuTensorMapEncodeTiled, copied to
//                                         the device once per distinct map
//
// The driver's types are declared here (opaque handles, int results) rather
// than taken from cuda.h, so the library builds without the CUDA toolkit.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Runtime/CudaRuntime.h"

#include <dlfcn.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using Handle = void *;

constexpr CUresult kSuccess = 0;
constexpr CUresult kNoDevice = 100;
constexpr CUresult kStubLibrary = 34;
constexpr int kAttrComputeMajor = 75;
constexpr int kAttrComputeMinor = 76;
constexpr int kJitErrorLogBuffer = 5;
constexpr int kJitErrorLogBufferSize = 6;
constexpr int kJitOptimizationLevel = 7;
constexpr unsigned kStreamNonBlocking = 1;
constexpr unsigned kMemAttachGlobal = 1;
constexpr int kFuncAttrMaxDynamicSharedBytes = 8;
/// Dynamic shared memory a kernel may use without opting in.
constexpr int32_t kDefaultDynamicSharedLimit = 48 * 1024;
/// sizeof(CUtensorMap), and its alignment.
constexpr size_t kTensorMapBytes = 128;
constexpr size_t kTensorMapAlign = 64;

// X(name, symbol, signature): every driver entry point lowbit calls. The
// versioned symbols are the ones cuda.h maps the plain names to.
#define LOWBIT_CUDA_ENTRY_POINTS(X)                                            \
  X(cuInit, "cuInit", CUresult (*)(unsigned))                                  \
  X(cuGetErrorName, "cuGetErrorName", CUresult (*)(CUresult, const char **))   \
  X(cuDeviceGetCount, "cuDeviceGetCount", CUresult (*)(int *))                 \
  X(cuDeviceGet, "cuDeviceGet", CUresult (*)(CUdevice *, int))                 \
  X(cuDeviceGetName, "cuDeviceGetName", CUresult (*)(char *, int, CUdevice))   \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute",                              \
    CUresult (*)(int *, int, CUdevice))                                        \
  X(cuDeviceTotalMem, "cuDeviceTotalMem_v2", CUresult (*)(size_t *, CUdevice)) \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain",                      \
    CUresult (*)(Handle *, CUdevice))                                          \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUresult (*)(Handle))                  \
  X(cuCtxSynchronize, "cuCtxSynchronize", CUresult (*)())                      \
  X(cuModuleLoadData, "cuModuleLoadData",                                      \
    CUresult (*)(Handle *, const void *))                                      \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx",                                  \
    CUresult (*)(Handle *, const void *, unsigned, int *, void **))            \
  X(cuModuleUnload, "cuModuleUnload", CUresult (*)(Handle))                    \
  X(cuModuleGetFunction, "cuModuleGetFunction",                                \
    CUresult (*)(Handle *, Handle, const char *))                              \
  X(cuLaunchKernel, "cuLaunchKernel",                                          \
    CUresult (*)(Handle, unsigned, unsigned, unsigned, unsigned, unsigned,     \
                 unsigned, unsigned, Handle, void **, void **))                \
  X(cuStreamCreate, "cuStreamCreate", CUresult (*)(Handle *, unsigned))        \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUresult (*)(Handle))               \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult (*)(Handle))          \
  X(cuStreamWaitEvent, "cuStreamWaitEvent",                                    \
    CUresult (*)(Handle, Handle, unsigned))                                    \
  X(cuEventCreate, "cuEventCreate", CUresult (*)(Handle *, unsigned))          \
  X(cuEventDestroy, "cuEventDestroy_v2", CUresult (*)(Handle))                 \
  X(cuEventSynchronize, "cuEventSynchronize", CUresult (*)(Handle))            \
  X(cuEventRecord, "cuEventRecord", CUresult (*)(Handle, Handle))              \
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult (*)(CUdeviceptr *, size_t))          \
  X(cuMemAllocManaged, "cuMemAllocManaged",                                    \
    CUresult (*)(CUdeviceptr *, size_t, unsigned))                             \
  X(cuMemFree, "cuMemFree_v2", CUresult (*)(CUdeviceptr))                      \
  X(cuMemcpyAsync, "cuMemcpyAsync",                                            \
    CUresult (*)(CUdeviceptr, CUdeviceptr, size_t, Handle))                    \
  X(cuMemsetD32Async, "cuMemsetD32Async",                                      \
    CUresult (*)(CUdeviceptr, unsigned, size_t, Handle))                       \
  X(cuMemsetD16Async, "cuMemsetD16Async",                                      \
    CUresult (*)(CUdeviceptr, unsigned short, size_t, Handle))                 \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2",                                           \
    CUresult (*)(CUdeviceptr, const void *, size_t))                           \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", CUresult (*)(Handle, int, int))  \
  X(cuTensorMapEncodeTiled, "cuTensorMapEncodeTiled",                          \
    CUresult (*)(void *, int, unsigned, void *, const uint64_t *,              \
                 const uint64_t *, const unsigned *, const unsigned *, int,    \
                 int, int, int))

/// Spells a function pointer type as one token sequence in a declaration.
template <typename T> using Fn = T;

/// The driver: its entry points, device and context, once initialised.
struct Driver {
#define LOWBIT_CUDA_FIELD(name, symbol, type) Fn<type> name = nullptr;
  LOWBIT_CUDA_ENTRY_POINTS(LOWBIT_CUDA_FIELD)
#undef LOWBIT_CUDA_FIELD
  void *library = nullptr;
  CUdevice device = 0;
  Handle context = nullptr;
  bool ready = false;
  std::string initError;
  std::string description;

  std::mutex errorMutex;
  std::string firstError;

  /// Tensor maps copied to the device, by content: the same buffer and box
  /// on every call of a model reuses one copy (kept until the process
  /// ends; distinct device addresses are few, buffers being reused).
  std::mutex tensorMapMutex;
  std::map<std::array<unsigned char, kTensorMapBytes>, CUdeviceptr> tensorMaps;

  /// The dynamic shared memory each kernel function was opted into.
  std::mutex sharedOptInMutex;
  std::map<Handle, int32_t> sharedOptIn;
};

Driver &driver() {
  static Driver instance;
  return instance;
}

std::string errorName(CUresult result) {
  Driver &d = driver();
  const char *name = nullptr;
  if (d.cuGetErrorName && d.cuGetErrorName(result, &name) == kSuccess && name)
    return name;
  return "CUDA error " + std::to_string(result);
}

/// Records the first failure of `call`; true when `result` is success.
bool check(CUresult result, const char *call) {
  if (result == kSuccess)
    return true;
  Driver &d = driver();
  std::lock_guard<std::mutex> lock(d.errorMutex);
  if (d.firstError.empty())
    d.firstError = std::string(call) + " failed: " + errorName(result);
  return false;
}

/// Records `message` as the error unless one is pending.
void fail(const std::string &message) {
  Driver &d = driver();
  std::lock_guard<std::mutex> lock(d.errorMutex);
  if (d.firstError.empty())
    d.firstError = message;
}

/// True when the driver is ready, no earlier error is pending and device 0's
/// context is current on this thread; otherwise mgpu* calls do nothing.
bool enter(const char *call) {
  Driver &d = driver();
  if (!d.ready) {
    std::lock_guard<std::mutex> lock(d.errorMutex);
    if (d.firstError.empty())
      d.firstError = std::string(call) +
                     " called without a CUDA driver (initialize() was not "
                     "called or failed)";
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(d.errorMutex);
    if (!d.firstError.empty())
      return false;
  }
  return check(d.cuCtxSetCurrent(d.context), "cuCtxSetCurrent");
}

std::string load(Driver &d) {
  const char *override = std::getenv("LOWBIT_CUDA_DRIVER");
  std::string path = override && *override ? override : "libcuda.so.1";
  d.library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!d.library) {
    const char *why = dlerror();
    return "no CUDA driver found (cannot load " + path +
           (why ? std::string(": ") + why : std::string()) + ")";
  }
#define LOWBIT_CUDA_RESOLVE(name, symbol, type)                                \
  d.name = reinterpret_cast<type>(dlsym(d.library, symbol));                   \
  if (!d.name)                                                                 \
    return "no CUDA driver found (" + path +                                   \
           " has no " symbol "; the driver is older than CUDA 12)";
  LOWBIT_CUDA_ENTRY_POINTS(LOWBIT_CUDA_RESOLVE)
#undef LOWBIT_CUDA_RESOLVE

  CUresult result = d.cuInit(0);
  if (result == kStubLibrary)
    return "no CUDA driver found (" + path +
           " is the CUDA toolkit's stub library, not a driver)";
  if (result == kNoDevice)
    return "no CUDA driver found (the driver reports no CUDA device)";
  if (result != kSuccess)
    return "no CUDA driver found (cuInit failed: " + errorName(result) + ")";
  int count = 0;
  if ((result = d.cuDeviceGetCount(&count)) != kSuccess || count == 0)
    return "no CUDA driver found (the driver reports no CUDA device)";
  if ((result = d.cuDeviceGet(&d.device, 0)) != kSuccess)
    return "cuDeviceGet(0) failed: " + errorName(result);
  if ((result = d.cuDevicePrimaryCtxRetain(&d.context, d.device)) != kSuccess)
    return "cuDevicePrimaryCtxRetain failed: " + errorName(result);

  char name[256] = {0};
  d.cuDeviceGetName(name, sizeof(name) - 1, d.device);
  int major = 0, minor = 0;
  d.cuDeviceGetAttribute(&major, kAttrComputeMajor, d.device);
  d.cuDeviceGetAttribute(&minor, kAttrComputeMinor, d.device);
  size_t bytes = 0;
  d.cuDeviceTotalMem(&bytes, d.device);
  d.description = std::string(name) + " (sm_" + std::to_string(major) +
                  std::to_string(minor) + ", " + std::to_string(bytes >> 20) +
                  " MiB)";
  return "";
}

CUdeviceptr toDevice(const void *ptr) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
}

} // namespace

std::string lowbit::runtime::cuda::initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    Driver &d = driver();
    d.initError = load(d);
    d.ready = d.initError.empty();
  });
  return driver().initError;
}

std::string lowbit::runtime::cuda::deviceDescription() {
  return driver().description;
}

std::string lowbit::runtime::cuda::takeError() {
  Driver &d = driver();
  std::lock_guard<std::mutex> lock(d.errorMutex);
  std::string error = std::move(d.firstError);
  d.firstError.clear();
  return error;
}

void lowbit::runtime::cuda::forEachEntryPoint(
    const std::function<void(const char *, void *)> &visit) {
#define LOWBIT_VISIT(fn) visit(#fn, reinterpret_cast<void *>(&fn))
  LOWBIT_VISIT(mgpuModuleLoad);
  LOWBIT_VISIT(mgpuModuleLoadJIT);
  LOWBIT_VISIT(mgpuModuleUnload);
  LOWBIT_VISIT(mgpuModuleGetFunction);
  LOWBIT_VISIT(mgpuLaunchKernel);
  LOWBIT_VISIT(mgpuStreamCreate);
  LOWBIT_VISIT(mgpuStreamDestroy);
  LOWBIT_VISIT(mgpuStreamSynchronize);
  LOWBIT_VISIT(mgpuStreamWaitEvent);
  LOWBIT_VISIT(mgpuEventCreate);
  LOWBIT_VISIT(mgpuEventDestroy);
  LOWBIT_VISIT(mgpuEventSynchronize);
  LOWBIT_VISIT(mgpuEventRecord);
  LOWBIT_VISIT(mgpuMemAlloc);
  LOWBIT_VISIT(mgpuMemFree);
  LOWBIT_VISIT(mgpuMemcpy);
  LOWBIT_VISIT(mgpuMemset32);
  LOWBIT_VISIT(mgpuMemset16);
  LOWBIT_VISIT(mgpuSetDefaultDevice);
  LOWBIT_VISIT(mgpuTensorMapEncodeTiledMemref);
#undef LOWBIT_VISIT
}

//===----------------------------------------------------------------------===//
// The C ABI
//===----------------------------------------------------------------------===//

extern "C" void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Handle module = nullptr;
  if (enter("mgpuModuleLoad"))
    check(driver().cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

extern "C" void *mgpuModuleLoadJIT(void *data, int optLevel) {
  Handle module = nullptr;
  if (!enter("mgpuModuleLoadJIT"))
    return module;
  char log[4096] = {0};
  int options[] = {kJitOptimizationLevel, kJitErrorLogBuffer,
                   kJitErrorLogBufferSize};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)),
                    log, reinterpret_cast<void *>(sizeof(log) - 1)};
  CUresult result =
      driver().cuModuleLoadDataEx(&module, data, 3, options, values);
  if (!check(result, "cuModuleLoadDataEx (PTX JIT)") && log[0]) {
    Driver &d = driver();
    std::lock_guard<std::mutex> lock(d.errorMutex);
    d.firstError += std::string("\n") + log;
  }
  return module;
}

extern "C" void mgpuModuleUnload(void *module) {
  // Unloading runs from a global destructor: skip it after a failure, and
  // when the module never loaded.
  if (module && enter("mgpuModuleUnload"))
    check(driver().cuModuleUnload(module), "cuModuleUnload");
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  Handle function = nullptr;
  if (enter("mgpuModuleGetFunction"))
    check(driver().cuModuleGetFunction(&function, module, name),
          "cuModuleGetFunction");
  return function;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX,
                                 intptr_t blockY, intptr_t blockZ, int32_t smem,
                                 void *stream, void **params, void ** /*extra*/,
                                 size_t /*paramsCount*/) {
  if (!enter("mgpuLaunchKernel"))
    return;
  // More than 48 KiB of dynamic shared memory needs the kernel's opt-in,
  // once per function and size.
  if (smem > kDefaultDynamicSharedLimit) {
    Driver &d = driver();
    std::lock_guard<std::mutex> lock(d.sharedOptInMutex);
    auto known = d.sharedOptIn.find(function);
    if (known == d.sharedOptIn.end() || known->second < smem) {
      if (!check(d.cuFuncSetAttribute(function, kFuncAttrMaxDynamicSharedBytes,
                                      smem),
                 "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)"))
        return;
      d.sharedOptIn[function] = smem;
    }
  }
  check(driver().cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                                blockZ, smem, stream, params, nullptr),
        "cuLaunchKernel");
}

extern "C" void *mgpuStreamCreate() {
  Handle stream = nullptr;
  if (enter("mgpuStreamCreate"))
    check(driver().cuStreamCreate(&stream, kStreamNonBlocking),
          "cuStreamCreate");
  return stream;
}

extern "C" void mgpuStreamDestroy(void *stream) {
  if (stream && enter("mgpuStreamDestroy"))
    check(driver().cuStreamDestroy(stream), "cuStreamDestroy");
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  if (enter("mgpuStreamSynchronize"))
    check(driver().cuStreamSynchronize(stream), "cuStreamSynchronize");
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  if (enter("mgpuStreamWaitEvent"))
    check(driver().cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

extern "C" void *mgpuEventCreate() {
  Handle event = nullptr;
  if (enter("mgpuEventCreate"))
    check(driver().cuEventCreate(&event, 0), "cuEventCreate");
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  if (event && enter("mgpuEventDestroy"))
    check(driver().cuEventDestroy(event), "cuEventDestroy");
}

extern "C" void mgpuEventSynchronize(void *event) {
  if (enter("mgpuEventSynchronize"))
    check(driver().cuEventSynchronize(event), "cuEventSynchronize");
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  if (enter("mgpuEventRecord"))
    check(driver().cuEventRecord(event, stream), "cuEventRecord");
}

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                              bool isHostShared) {
  CUdeviceptr ptr = 0;
  if (sizeBytes == 0 || !enter("mgpuMemAlloc"))
    return nullptr;
  if (isHostShared)
    check(driver().cuMemAllocManaged(&ptr, sizeBytes, kMemAttachGlobal),
          "cuMemAllocManaged");
  else
    check(driver().cuMemAlloc(&ptr, sizeBytes), "cuMemAlloc");
  return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr));
}

extern "C" void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (ptr && enter("mgpuMemFree"))
    check(driver().cuMemFree(toDevice(ptr)), "cuMemFree");
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                           void *stream) {
  if (sizeBytes && enter("mgpuMemcpy"))
    check(
        driver().cuMemcpyAsync(toDevice(dst), toDevice(src), sizeBytes, stream),
        "cuMemcpyAsync");
}

extern "C" void mgpuMemset32(void *dst, unsigned int value, size_t count,
                             void *stream) {
  if (count && enter("mgpuMemset32"))
    check(driver().cuMemsetD32Async(toDevice(dst), value, count, stream),
          "cuMemsetD32Async");
}

extern "C" void mgpuMemset16(void *dst, unsigned short value, size_t count,
                             void *stream) {
  if (count && enter("mgpuMemset16"))
    check(driver().cuMemsetD16Async(toDevice(dst), value, count, stream),
          "cuMemsetD16Async");
}

/// Bytes per element of CUtensorMapDataType `type` (0: unknown).
static uint64_t tensorMapElementBytes(int64_t type) {
  // UINT8, UINT16, UINT32, INT32, UINT64, INT64, FLOAT16, FLOAT32, FLOAT64,
  // BFLOAT16, FLOAT32_FTZ, TFLOAT32, TFLOAT32_FTZ.
  static const uint64_t bytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  return type >= 0 && type < int64_t(std::size(bytes)) ? bytes[type] : 0;
}

/// What nvgpu.tma.create.descriptor calls: encodes a tiled TMA tensor map
/// of the (device) memref whose ranked descriptor is `descriptor` (rank
/// `rank`: allocated and aligned pointers, offset, sizes, strides), with
/// boxes of `boxDims` elements (in the memref's dimension order), and
/// returns a device copy of the map for kernels to read (TMA takes the map
/// by address). The driver wants dimensions innermost first and strides in
/// bytes. Null (and a recorded error) on failure.
extern "C" void *mgpuTensorMapEncodeTiledMemref(
    int64_t rank, void *descriptor, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill, int64_t *boxDims) {
  if (!enter("mgpuTensorMapEncodeTiledMemref"))
    return nullptr;
  uint64_t elementBytes = tensorMapElementBytes(dataType);
  if (rank < 1 || rank > 5 || !elementBytes) {
    fail("mgpuTensorMapEncodeTiledMemref: expected rank 1..5 and a known "
         "CUtensorMapDataType, got rank " +
         std::to_string(rank) + " and type " + std::to_string(dataType));
    return nullptr;
  }
  // { T *allocated, *aligned; int64_t offset, sizes[rank], strides[rank]; }
  auto *fields = static_cast<int64_t *>(descriptor);
  char *aligned = reinterpret_cast<char *>(fields[1]);
  int64_t offset = fields[2];
  const int64_t *sizes = fields + 3, *strides = fields + 3 + rank;
  // The driver has no innermost stride: the innermost dimension must be
  // contiguous.
  if (strides[rank - 1] != 1) {
    fail("mgpuTensorMapEncodeTiledMemref: the innermost dimension has "
         "stride " +
         std::to_string(strides[rank - 1]) + ", expected 1");
    return nullptr;
  }
  uint64_t globalDim[5], globalStrides[4];
  unsigned box[5], elementStrides[5];
  for (int64_t i = 0; i < rank; ++i) {
    globalDim[i] = uint64_t(sizes[rank - 1 - i]);
    box[i] = unsigned(boxDims[rank - 1 - i]);
    elementStrides[i] = 1;
  }
  for (int64_t i = 0; i + 1 < rank; ++i)
    globalStrides[i] = uint64_t(strides[rank - 2 - i]) * elementBytes;
  alignas(kTensorMapAlign) std::array<unsigned char, kTensorMapBytes> map{};
  Driver &d = driver();
  if (!check(d.cuTensorMapEncodeTiled(
                 map.data(), int(dataType), unsigned(rank),
                 aligned + offset * int64_t(elementBytes), globalDim,
                 globalStrides, box, elementStrides, int(interleave),
                 int(swizzle), int(l2Promotion), int(oobFill)),
             "cuTensorMapEncodeTiled"))
    return nullptr;
  std::lock_guard<std::mutex> lock(d.tensorMapMutex);
  auto [it, inserted] = d.tensorMaps.try_emplace(map, CUdeviceptr(0));
  if (inserted) {
    if (!check(d.cuMemAlloc(&it->second, kTensorMapBytes), "cuMemAlloc")) {
      d.tensorMaps.erase(it);
      return nullptr;
    }
    // From pageable memory the copy may return before the bytes land, and
    // kernels run on other (non-blocking) streams: wait for it.
    if (!check(d.cuMemcpyHtoD(it->second, map.data(), kTensorMapBytes),
               "cuMemcpyHtoD") ||
        !check(d.cuCtxSynchronize(), "cuCtxSynchronize")) {
      d.cuMemFree(it->second);
      d.tensorMaps.erase(it);
      return nullptr;
    }
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(it->second));
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  // One device only: any other ordinal is an error, not a silent switch.
  if (device != 0 && enter("mgpuSetDefaultDevice"))
    check(kNoDevice, "mgpuSetDefaultDevice (only device 0 is supported)");
}
