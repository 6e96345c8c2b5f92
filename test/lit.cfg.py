# -*- Python -*-
# lit configuration of lowbit's regression tests.

import os
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "LOWBIT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "Unit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowbit_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%lowbit_bin", config.lowbit_tools_dir))
config.substitutions.append(
    ("%lowbit_plugin", os.path.join(config.lowbit_libs_dir, "LowbitPlugin.so")))
# mlir-runner with the runtime that prints memrefs, for integration tests.
config.substitutions.append(
    ("%mlir_runner",
     "{} -e main -entry-point-result=void -shared-libs={},{}".format(
         os.path.join(config.llvm_tools_dir, "mlir-runner"),
         os.path.join(config.llvm_tools_dir, "..", "lib", "libmlir_c_runner_utils.so"),
         os.path.join(config.llvm_tools_dir, "..", "lib", "libmlir_runner_utils.so"))))
# Upstream mlir-opt from the LLVM installation, for the plugin tests.
config.substitutions.append(
    ("%upstream_mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

if config.sanitizers:
    # Upstream mlir-opt is not instrumented; loading an instrumented plugin
    # into it needs the sanitizer runtime preloaded, so skip those tests.
    config.available_features.add("sanitizers")
    # LLVM's BumpPtrAllocator poisons its slabs from inline header code, which
    # is instrumented in our binaries but not in libMLIR.so: memory that
    # libMLIR hands out from a slab our code poisoned looks poisoned. Manual
    # poisoning off keeps every real ASan check.
    config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0"

# The ONNX conformance run needs Debian's libonnx-testdata.
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
# One backend test's directory, for the TensorProto-file tests.
config.substitutions.append(
    ("%{data}",
     "/usr/share/libonnx-testdata/data/node/test_gemm_all_attributes"))

# ONNX Runtime (PyPI, test-only) runs exported models; scripts/test.sh puts it
# in a virtual environment in the build directory, with Debian's onnx and
# numpy visible through the system site packages.
ort_python = os.path.join(config.lowbit_obj_root, "test-venv", "bin", "python")
if os.path.exists(ort_python) and subprocess.call(
        [ort_python, "-c", "import onnxruntime, onnx, numpy"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("onnxruntime")
    config.substitutions.append(("%ort_python", ort_python))

# ptxas assembles the PTX of lowbit-lower-to-nvvm (no GPU needed).
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", "/usr/local/cuda/bin/ptxas"))
config.substitutions.append(
    ("%extract_ptx", "{} {}".format(sys.executable, os.path.join(
        os.path.dirname(config.test_source_root), "scripts", "extract-ptx.py"))))

# cuda-gpu: a CUDA driver that initialises and reports a device, for the
# tests that run kernels (lowbit-run --device=cuda). Asked through ctypes,
# as the runtime does, so no CUDA toolkit is needed.
def has_cuda_gpu():
    import ctypes
    try:
        driver = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        return (driver.cuInit(0) == 0 and
                driver.cuDeviceGetCount(ctypes.byref(count)) == 0 and
                count.value > 0)
    except (OSError, AttributeError):
        return False


if has_cuda_gpu():
    config.available_features.add("cuda-gpu")
# The CUDA toolkit's stub libcuda: resolves every entry point but cuInit
# fails, for the "no CUDA driver found" test of the runtime.
for stub in ["/usr/local/cuda/lib64/stubs/libcuda.so",
             "/usr/local/cuda/targets/x86_64-linux/lib/stubs/libcuda.so"]:
    if os.path.exists(stub):
        config.available_features.add("cuda-stub")
        config.substitutions.append(("%cuda_stub", stub))
        break

tool_dirs = [config.lowbit_tools_dir, config.llvm_tools_dir]
tools = ["lowbit-auto-precision", "lowbit-compile", "lowbit-opt", "lowbit-report", "lowbit-run",
         "lowbit-translate"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Vector extensions of the host, for the tests that run code compiled for a
# named x86 target (lowbit-run refuses a target the host cannot run).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = set(next((line.split(":", 1)[1].split()
                          for line in cpuinfo if line.startswith("flags")), []))
except OSError:
    flags = set()
if {"avx2", "fma"} <= flags:
    config.available_features.add("avx2")
if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
    config.available_features.add("avx512")
    if "avx512_vnni" in flags:
        config.available_features.add("avx512vnni")
    if "avx512_bf16" in flags:
        config.available_features.add("avx512bf16")
