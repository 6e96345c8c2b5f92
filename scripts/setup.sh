#!/usr/bin/env bash
#===- setup.sh - install what is missing, configure and build lowbit ------===#
#
# Installs the Debian packages lowbit builds against (only those missing),
# configures the build directory once and builds everything with Ninja.
# Sourced or run by quickstart.sh and test.sh.
#
#   LOWBIT_BUILD_DIR   build directory (default: <repo>/build)
#   LOWBIT_CMAKE_ARGS  extra CMake arguments for the first configure, e.g.
#                      -DLOWBIT_ENABLE_SANITIZERS=ON
#
#===----------------------------------------------------------------------===#
set -euo pipefail

LOWBIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOWBIT_BUILD_DIR=${LOWBIT_BUILD_DIR:-$LOWBIT_ROOT/build}
LLVM_PREFIX=/usr/lib/llvm-22

packages=(
  cmake ninja-build ccache python3 libgtest-dev
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx libonnx-testdata
  libomp-22-dev
)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "lowbit: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ ! -f "$LOWBIT_BUILD_DIR/CMakeCache.txt" ]; then
  # shellcheck disable=SC2086
  cmake -G Ninja -S "$LOWBIT_ROOT" -B "$LOWBIT_BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    ${LOWBIT_CMAKE_ARGS:-}
fi
ninja -C "$LOWBIT_BUILD_DIR"
