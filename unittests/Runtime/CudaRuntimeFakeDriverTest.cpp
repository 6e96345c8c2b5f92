//===- CudaRuntimeFakeDriverTest.cpp - the CUDA runtime on a fake driver --===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The host ABI's argument handling, without a GPU: LOWBIT_CUDA_DRIVER points
// at FakeCudaDriver (a shared library with the driver's entry points that
// records what it is called with), and the tests check what reaches the
// driver: the tensor map a memref descriptor encodes to, and its one device
// copy per distinct map; the dynamic shared memory opt-in before a launch;
// failures reported by takeError(). (initialize() runs once per process,
// hence this scenario's own test binary.)
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"

#include "lowbit/Runtime/CudaRuntime.h"

#include "gtest/gtest.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cuda = lowbit::runtime::cuda;

namespace {

/// A ranked memref descriptor as the host code passes it.
template <int Rank> struct MemRefDescriptor {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

// CUtensorMap* values.
constexpr int64_t kUint8 = 0, kFloat32 = 7;
constexpr int64_t kInterleaveNone = 0, kSwizzle128B = 3, kL2Promotion256B = 3,
                  kOobFillNone = 0;

/// A device buffer for descriptors to point into (the fake never reads it).
void *fakeDeviceBuffer(uintptr_t address) {
  return reinterpret_cast<void *>(address);
}

class CudaRuntimeWithFakeDriver : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ::setenv("LOWBIT_CUDA_DRIVER", FAKE_CUDA_DRIVER_PATH, 1);
    initError = cuda::initialize();
    // The runtime opened the library with RTLD_LOCAL: its symbols are found
    // through a handle of that library, not globally.
    if (void *library = dlopen(FAKE_CUDA_DRIVER_PATH, RTLD_NOW | RTLD_NOLOAD)) {
      if (auto *get = reinterpret_cast<FakeCudaState *(*)()>(
              dlsym(library, FAKE_CUDA_STATE_SYMBOL)))
        fake = get();
      dlclose(library);
    }
  }

  void SetUp() override {
    ASSERT_EQ(initError, "");
    ASSERT_NE(fake, nullptr)
        << "the runtime did not load " FAKE_CUDA_DRIVER_PATH;
    fake->funcSetAttributeResult = 0;
    ASSERT_EQ(cuda::takeError(), "");
  }

  /// A kernel of a loaded module.
  static void *loadFunction() {
    static const char image[] = "fake cubin";
    void *module = mgpuModuleLoad(const_cast<char *>(image), sizeof(image));
    EXPECT_NE(module, nullptr);
    return mgpuModuleGetFunction(module, "kernel");
  }

  static std::string initError;
  static FakeCudaState *fake;
};

std::string CudaRuntimeWithFakeDriver::initError;
FakeCudaState *CudaRuntimeWithFakeDriver::fake = nullptr;

TEST_F(CudaRuntimeWithFakeDriver, InitializeDescribesTheDevice) {
  EXPECT_EQ(cuda::initialize(), "");
  std::string description = cuda::deviceDescription();
  EXPECT_NE(description.find("Fake GPU"), std::string::npos) << description;
  EXPECT_NE(description.find("sm_90"), std::string::npos) << description;
  EXPECT_EQ(description, "Fake GPU (sm_90, 81920 MiB)");
  // Loaded locally, not into the global namespace.
  EXPECT_EQ(dlsym(RTLD_DEFAULT, FAKE_CUDA_STATE_SYMBOL), nullptr);
}

TEST_F(CudaRuntimeWithFakeDriver, TensorMapOfATwoDimensionalMemref) {
  // memref<256x512xi8, strided<[512, 1], offset: 1024>>.
  char *buffer = static_cast<char *>(fakeDeviceBuffer(0x40000000));
  MemRefDescriptor<2> memref = {buffer, buffer, 1024, {256, 512}, {512, 1}};
  int64_t box[] = {128, 128};
  int allocs = fake->allocCalls, copies = fake->copyToDeviceCalls,
      encodes = fake->encodeCalls, syncs = fake->ctxSynchronizeCalls;

  void *map = mgpuTensorMapEncodeTiledMemref(
      2, &memref, kUint8, kInterleaveNone, kSwizzle128B, kL2Promotion256B,
      kOobFillNone, box);
  ASSERT_EQ(cuda::takeError(), "");
  ASSERT_NE(map, nullptr);

  // The driver's view: innermost dimension first, strides in bytes (the
  // innermost, always 1 element, left out), the offset applied.
  EXPECT_EQ(fake->encodeCalls, encodes + 1);
  EXPECT_EQ(fake->encodeDataType, 0);
  EXPECT_EQ(fake->encodeRank, 2u);
  EXPECT_EQ(fake->encodeGlobalAddress,
            reinterpret_cast<uintptr_t>(buffer + 1024));
  EXPECT_EQ(fake->encodeGlobalDim[0], 512u);
  EXPECT_EQ(fake->encodeGlobalDim[1], 256u);
  EXPECT_EQ(fake->encodeGlobalStrides[0], 512u);
  EXPECT_EQ(fake->encodeBoxDim[0], 128u);
  EXPECT_EQ(fake->encodeBoxDim[1], 128u);
  EXPECT_EQ(fake->encodeElementStrides[0], 1u);
  EXPECT_EQ(fake->encodeElementStrides[1], 1u);
  EXPECT_EQ(fake->encodeInterleave, 0);
  EXPECT_EQ(fake->encodeSwizzle, 3);
  EXPECT_EQ(fake->encodeL2Promotion, 3);
  EXPECT_EQ(fake->encodeOobFill, 0);
  EXPECT_EQ(fake->encodeMapAddress % 64, 0u);

  // The result is a 128-byte device allocation holding the encoded map.
  EXPECT_EQ(fake->allocCalls, allocs + 1);
  EXPECT_EQ(fake->lastAllocBytes, 128u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(map), fake->lastAllocAddress);
  EXPECT_EQ(fake->copyToDeviceCalls, copies + 1);
  EXPECT_EQ(fake->copyToDeviceAddress, fake->lastAllocAddress);
  EXPECT_EQ(fake->copyToDeviceBytes, 128u);
  EXPECT_EQ(std::memcmp(fake->copyToDeviceData, "FAKETMAP", 8), 0);
  EXPECT_EQ(std::memcmp(fake->copyToDeviceData, fake->encodedMap, 128), 0);
  // The copy (from pageable memory) is waited for: kernels run on other
  // streams.
  EXPECT_EQ(fake->ctxSynchronizeCalls, syncs + 1);
  EXPECT_GT(fake->ctxSynchronizeSequence, 0);

  // The same map again: encoded, but the device copy is reused.
  void *again = mgpuTensorMapEncodeTiledMemref(
      2, &memref, kUint8, kInterleaveNone, kSwizzle128B, kL2Promotion256B,
      kOobFillNone, box);
  ASSERT_EQ(cuda::takeError(), "");
  EXPECT_EQ(again, map);
  EXPECT_EQ(fake->encodeCalls, encodes + 2);
  EXPECT_EQ(fake->allocCalls, allocs + 1);
  EXPECT_EQ(fake->copyToDeviceCalls, copies + 1);
  EXPECT_EQ(fake->ctxSynchronizeCalls, syncs + 1);

  // Another box is another map (box dimensions reversed too).
  int64_t otherBox[] = {64, 128};
  void *other = mgpuTensorMapEncodeTiledMemref(
      2, &memref, kUint8, kInterleaveNone, kSwizzle128B, kL2Promotion256B,
      kOobFillNone, otherBox);
  ASSERT_EQ(cuda::takeError(), "");
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other, map);
  EXPECT_EQ(fake->encodeBoxDim[0], 128u);
  EXPECT_EQ(fake->encodeBoxDim[1], 64u);
  EXPECT_EQ(fake->allocCalls, allocs + 2);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(other), fake->lastAllocAddress);
  EXPECT_EQ(fake->copyToDeviceCalls, copies + 2);
  EXPECT_EQ(std::memcmp(fake->copyToDeviceData, fake->encodedMap, 128), 0);

  // The first map's copy is still cached.
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &memref, kUint8, kInterleaveNone,
                                           kSwizzle128B, kL2Promotion256B,
                                           kOobFillNone, box),
            map);
  EXPECT_EQ(fake->allocCalls, allocs + 2);
  EXPECT_EQ(cuda::takeError(), "");
}

TEST_F(CudaRuntimeWithFakeDriver, TensorMapScalesOffsetAndStridesToBytes) {
  // memref<4x64x256xf32, strided<[16384, 256, 1], offset: 512>>.
  char *buffer = static_cast<char *>(fakeDeviceBuffer(0x50000000));
  MemRefDescriptor<3> memref = {
      buffer, buffer, 512, {4, 64, 256}, {16384, 256, 1}};
  int64_t box[] = {1, 16, 32};
  void *map = mgpuTensorMapEncodeTiledMemref(
      3, &memref, kFloat32, kInterleaveNone, kSwizzle128B, kL2Promotion256B,
      kOobFillNone, box);
  ASSERT_EQ(cuda::takeError(), "");
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(fake->encodeDataType, 7);
  EXPECT_EQ(fake->encodeRank, 3u);
  EXPECT_EQ(fake->encodeGlobalAddress,
            reinterpret_cast<uintptr_t>(buffer + 512 * 4));
  EXPECT_EQ(fake->encodeGlobalDim[0], 256u);
  EXPECT_EQ(fake->encodeGlobalDim[1], 64u);
  EXPECT_EQ(fake->encodeGlobalDim[2], 4u);
  EXPECT_EQ(fake->encodeGlobalStrides[0], 256u * 4);
  EXPECT_EQ(fake->encodeGlobalStrides[1], 16384u * 4);
  EXPECT_EQ(fake->encodeBoxDim[0], 32u);
  EXPECT_EQ(fake->encodeBoxDim[1], 16u);
  EXPECT_EQ(fake->encodeBoxDim[2], 1u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(fake->encodeElementStrides[i], 1u) << i;
}

TEST_F(CudaRuntimeWithFakeDriver, TensorMapRejectsUnknownTypeAndRank) {
  char *buffer = static_cast<char *>(fakeDeviceBuffer(0x60000000));
  MemRefDescriptor<2> memref = {buffer, buffer, 0, {256, 512}, {512, 1}};
  int64_t box[] = {128, 128};
  int encodes = fake->encodeCalls, allocs = fake->allocCalls;

  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &memref, 99, kInterleaveNone,
                                           kSwizzle128B, kL2Promotion256B,
                                           kOobFillNone, box),
            nullptr);
  std::string error = cuda::takeError();
  EXPECT_NE(error.find("mgpuTensorMapEncodeTiledMemref"), std::string::npos)
      << error;

  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(0, &memref, kUint8, kInterleaveNone,
                                           kSwizzle128B, kL2Promotion256B,
                                           kOobFillNone, box),
            nullptr);
  error = cuda::takeError();
  EXPECT_NE(error.find("mgpuTensorMapEncodeTiledMemref: expected rank 1..5"),
            std::string::npos)
      << error;

  // A strided innermost dimension (the driver takes no innermost stride).
  MemRefDescriptor<2> strided = {buffer, buffer, 0, {256, 256}, {512, 2}};
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &strided, kUint8, kInterleaveNone,
                                           kSwizzle128B, kL2Promotion256B,
                                           kOobFillNone, box),
            nullptr);
  error = cuda::takeError();
  EXPECT_NE(error.find("the innermost dimension has stride 2, expected 1"),
            std::string::npos)
      << error;

  // None reached the driver.
  EXPECT_EQ(fake->encodeCalls, encodes);
  EXPECT_EQ(fake->allocCalls, allocs);
}

TEST_F(CudaRuntimeWithFakeDriver, TensorMapEncoderFailureIsReported) {
  char *buffer = static_cast<char *>(fakeDeviceBuffer(0x70000000));
  MemRefDescriptor<2> memref = {buffer, buffer, 0, {256, 512}, {512, 1}};
  int64_t box[] = {128, 512}; // The driver allows at most 256 a side.
  int allocs = fake->allocCalls;
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &memref, kUint8, kInterleaveNone,
                                           kSwizzle128B, kL2Promotion256B,
                                           kOobFillNone, box),
            nullptr);
  EXPECT_EQ(cuda::takeError(),
            "cuTensorMapEncodeTiled failed: CUDA_ERROR_INVALID_VALUE");
  EXPECT_EQ(fake->allocCalls, allocs);
}

TEST_F(CudaRuntimeWithFakeDriver, DefaultSharedMemoryNeedsNoOptIn) {
  void *function = loadFunction();
  ASSERT_NE(function, nullptr);
  int attributes = fake->funcSetAttributeCalls, launches = fake->launchCalls;
  void *stream = mgpuStreamCreate();
  int arg = 7;
  void *params[] = {&arg};
  mgpuLaunchKernel(function, 4, 2, 1, 128, 1, 1, 48 * 1024, stream, params,
                   nullptr, 1);
  ASSERT_EQ(cuda::takeError(), "");
  EXPECT_EQ(fake->funcSetAttributeCalls, attributes);
  EXPECT_EQ(fake->launchCalls, launches + 1);
  EXPECT_EQ(fake->launchFunction, function);
  EXPECT_EQ(fake->launchGrid[0], 4u);
  EXPECT_EQ(fake->launchGrid[1], 2u);
  EXPECT_EQ(fake->launchGrid[2], 1u);
  EXPECT_EQ(fake->launchBlock[0], 128u);
  EXPECT_EQ(fake->launchBlock[1], 1u);
  EXPECT_EQ(fake->launchBlock[2], 1u);
  EXPECT_EQ(fake->launchSharedBytes, 48u * 1024);
  EXPECT_EQ(fake->launchStream, stream);
  EXPECT_EQ(fake->launchParams, params);
  EXPECT_EQ(fake->launchExtra, nullptr);
}

TEST_F(CudaRuntimeWithFakeDriver, LargeSharedMemoryOptsInBeforeTheLaunch) {
  void *function = loadFunction();
  ASSERT_NE(function, nullptr);
  int attributes = fake->funcSetAttributeCalls, launches = fake->launchCalls;
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 132096, nullptr, nullptr,
                   nullptr, 0);
  ASSERT_EQ(cuda::takeError(), "");
  EXPECT_EQ(fake->funcSetAttributeCalls, attributes + 1);
  EXPECT_EQ(fake->funcSetAttributeFunction, function);
  EXPECT_EQ(fake->funcSetAttributeAttribute,
            8); // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
  EXPECT_EQ(fake->funcSetAttributeValue, 132096);
  EXPECT_EQ(fake->launchCalls, launches + 1);
  EXPECT_LT(fake->funcSetAttributeSequence, fake->launchSequence);
  EXPECT_EQ(fake->launchFunction, function);
  EXPECT_EQ(fake->launchSharedBytes, 132096u);
  // Once per function: the next launch of the same size opts in no more.
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 132096, nullptr, nullptr,
                   nullptr, 0);
  ASSERT_EQ(cuda::takeError(), "");
  EXPECT_EQ(fake->funcSetAttributeCalls, attributes + 1);
  EXPECT_EQ(fake->launchCalls, launches + 2);
}

TEST_F(CudaRuntimeWithFakeDriver, FailedOptInIsReportedAndSkipsTheLaunch) {
  void *function = loadFunction();
  ASSERT_NE(function, nullptr);
  int launches = fake->launchCalls;
  fake->funcSetAttributeResult = 1; // CUDA_ERROR_INVALID_VALUE
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 200 * 1024, nullptr, nullptr,
                   nullptr, 0);
  EXPECT_EQ(fake->launchCalls, launches);
  // While the error is pending, later calls do nothing.
  fake->funcSetAttributeResult = 0;
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 0, nullptr, nullptr, nullptr,
                   0);
  EXPECT_EQ(fake->launchCalls, launches);
  EXPECT_EQ(cuda::takeError(),
            "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES) failed: "
            "CUDA_ERROR_INVALID_VALUE");
  // Taken, the next launch goes through.
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 0, nullptr, nullptr, nullptr,
                   0);
  EXPECT_EQ(cuda::takeError(), "");
  EXPECT_EQ(fake->launchCalls, launches + 1);
}

} // namespace
