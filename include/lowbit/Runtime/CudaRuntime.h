//===- CudaRuntime.h - the host ABI of GPU code, over the CUDA driver -*- C++
//-*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Host code that lowbit-lower-to-nvvm produces (through gpu-to-llvm) calls a
// fixed set of C functions: mgpuModuleLoad, mgpuLaunchKernel, mgpuMemAlloc,
// mgpuMemcpy, ... This library implements them over the CUDA driver API.
// libcuda is never linked: initialize() opens libcuda.so.1 with dlopen and
// resolves the cu* entry points with dlsym, so every tool builds and starts
// on a machine without a GPU and can say "no CUDA driver found" there.
//
// Errors: the mgpu* functions have no way to return one, so the first CUDA
// error is recorded (takeError()) and every later call does nothing until it
// is taken. Calling an mgpu* function before a successful initialize() only
// records an error; it never dereferences a missing entry point.
//
// One device (ordinal 0) and its primary context; the context is made
// current on the calling thread by every entry point.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_RUNTIME_CUDARUNTIME_H
#define LOWBIT_RUNTIME_CUDARUNTIME_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace lowbit {
namespace runtime {
namespace cuda {

/// Opens the CUDA driver (libcuda.so.1, or the file named by the environment
/// variable LOWBIT_CUDA_DRIVER), resolves its entry points, initialises it
/// and retains device 0's primary context. Returns "" on success, otherwise
/// a message that starts with "no CUDA driver found" (no library, a stub
/// library, no device) or names the failing driver call. Idempotent: later
/// calls return the first result.
std::string initialize();

/// "NAME (sm_XY, N MiB)" of device 0 after a successful initialize().
std::string deviceDescription();

/// The first error an mgpu* call recorded since the last takeError(), or ""
/// when there was none; clears it.
std::string takeError();

/// Calls `visit` with the name and address of every mgpu* entry point, to
/// register them with a JIT.
void forEachEntryPoint(
    const std::function<void(const char *name, void *address)> &visit);

} // namespace cuda
} // namespace runtime
} // namespace lowbit

// The C ABI gpu-to-llvm lowers to (the same signatures as MLIR's CUDA runtime
// wrappers). Streams, modules, functions and events are opaque driver
// handles.
extern "C" {
/// Loads a cubin or fatbinary of `size` bytes.
void *mgpuModuleLoad(void *data, size_t size);
/// Loads NUL-terminated PTX, JIT-compiled by the driver at `optLevel`.
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate();
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
/// Device memory of `sizeBytes` (managed memory when `isHostShared`).
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);
/// A TMA tensor map of a memref (its ranked descriptor, `rank`
/// dimensions), copied to the device; what nvgpu.tma.create.descriptor
/// lowers to. The enums are the driver's CUtensorMap* values.
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *descriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims);
}

#endif // LOWBIT_RUNTIME_CUDARUNTIME_H
