#!/usr/bin/env bash
#===- bench/cpu_kernels.sh - lowbit CPU kernels vs oneDNN, ORT, roofline ---===#
#
# Usage: bench/cpu_kernels.sh [--quick] [BUILD_DIR [DRIVER_OPTIONS...]]
#   (BUILD_DIR defaults to build; DRIVER_OPTIONS go to cpu_kernels.py)
#
# Installs what the benchmark needs and nothing the compiler's build needs:
# Debian's libdnnl-dev (oneDNN 2.6) and python3-venv, and a virtual
# environment BUILD_DIR/bench-venv with onnxruntime, onnx and numpy from
# PyPI. Builds the plain-read helper, then runs bench/cpu_kernels.py, which
# prints one markdown table (progress goes to stderr). Run it under
# `flock /tmp/lowbit-build.lock` on a shared machine so builds do not run
# beside it.
#
#   full:  shapes (N, K) = (4096, 4096), (11008, 4096), (4096, 11008),
#          M = 1, 16, 128, 512 (about 8 minutes on the 2-core build machine)
#   quick: (4096, 4096) with M = 1, 16, 128
#
# Two threads throughout (the peers' thread pools, the read, and lowbit's
# --threads).
#
#===----------------------------------------------------------------------===#

set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
quick=()
if [ "${1:-}" = "--quick" ]; then
  quick=(--quick)
  shift
fi
build="$(cd "${1:-$here/../build}" && pwd)"
shift || true

missing=()
for package in libdnnl-dev python3-venv libomp-22-dev; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

venv="$build/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import onnxruntime, onnx, onnx_ir, numpy" \
    2>/dev/null; then
  "$venv/bin/pip" install -q onnxruntime onnx onnx_ir numpy sympy
fi

work="$build/bench-cpu-kernels"
mkdir -p "$work"
# The plain read in lowbit's OpenMP runtime (libomp: the roofline, which so
# wakes the same idle threads as lowbit's calls; at 11008 x 4096 it read
# 5 to 10% faster than the same code on libgomp) and in oneDNN's (libgomp:
# the cache eviction before every call).
clang-22 -O3 -march=native -fopenmp=libomp -shared -fPIC \
  "$here/cpu_kernels_read.c" -o "$work/libread.so"
clang-22 -O3 -march=native -fopenmp=libgomp -shared -fPIC \
  "$here/cpu_kernels_read.c" -o "$work/libread_gomp.so"

# Peers that read OPENBLAS_CORETYPE must see the real core.
unset OPENBLAS_CORETYPE
export OMP_NUM_THREADS=2
# lowbit's OpenMP (libomp) threads stop spinning 1 ms after a kernel.
export KMP_BLOCKTIME=1
exec "$venv/bin/python" "$here/cpu_kernels.py" --build "$build" \
  --work "$work" --read-lib "$work/libread.so" \
  --gomp-read-lib "$work/libread_gomp.so" --threads 2 \
  "${quick[@]}" "$@"
