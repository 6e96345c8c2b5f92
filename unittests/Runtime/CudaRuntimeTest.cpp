//===- CudaRuntimeTest.cpp - the CUDA runtime without a driver ------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The runtime must never crash when there is no driver: initialize() says
// "no CUDA driver found", and the mgpu* entry points the compiled host code
// calls do nothing and record why. LOWBIT_CUDA_DRIVER points at a file that
// does not exist, so this runs the same with or without a GPU. (initialize()
// runs once per process, hence one scenario per test binary.)
//
//===----------------------------------------------------------------------===//

#include "lowbit/Runtime/CudaRuntime.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <set>
#include <string>

namespace cuda = lowbit::runtime::cuda;

namespace {

class CudaRuntimeWithoutDriver : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    ::setenv("LOWBIT_CUDA_DRIVER", "/nonexistent/lowbit/libcuda.so.1", 1);
    initError = cuda::initialize();
  }
  static std::string initError;
};

std::string CudaRuntimeWithoutDriver::initError;

TEST_F(CudaRuntimeWithoutDriver, InitializeSaysNoDriver) {
  EXPECT_EQ(initError.rfind("no CUDA driver found (cannot load "
                            "/nonexistent/lowbit/libcuda.so.1",
                            0),
            0u)
      << initError;
  // The first answer stays: a second call does not retry.
  EXPECT_EQ(cuda::initialize(), initError);
  EXPECT_EQ(cuda::deviceDescription(), "");
}

TEST_F(CudaRuntimeWithoutDriver, EntryPointsRecordInsteadOfCrashing) {
  cuda::takeError();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(1024, nullptr, false), nullptr);
  char host[16] = {0};
  mgpuMemcpy(host, host + 8, 8, nullptr);
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(mgpuModuleLoadJIT(host, 2), nullptr);
  mgpuModuleUnload(nullptr);
  mgpuStreamSynchronize(nullptr);
  mgpuStreamDestroy(nullptr);
  // The first call is the one reported; the others did nothing.
  EXPECT_EQ(cuda::takeError(),
            "mgpuStreamCreate called without a CUDA driver (initialize() "
            "was not called or failed)");
  EXPECT_EQ(cuda::takeError(), "");
}

TEST_F(CudaRuntimeWithoutDriver, ListsTheHostABI) {
  std::set<std::string> names;
  cuda::forEachEntryPoint([&](const char *name, void *address) {
    EXPECT_NE(address, nullptr) << name;
    names.insert(name);
  });
  // What gpu-to-llvm and the GPU dialect's LLVM IR translation call for
  // lowbit-lower-to-nvvm's output.
  for (const char *name :
       {"mgpuModuleLoad", "mgpuModuleLoadJIT", "mgpuModuleUnload",
        "mgpuModuleGetFunction", "mgpuLaunchKernel", "mgpuStreamCreate",
        "mgpuStreamDestroy", "mgpuStreamSynchronize", "mgpuMemAlloc",
        "mgpuMemFree", "mgpuMemcpy", "mgpuTensorMapEncodeTiledMemref"})
    EXPECT_TRUE(names.count(name)) << name;
  EXPECT_EQ(names.size(), 20u);
}

} // namespace
