#!/usr/bin/env bash
#===- test.sh - build lowbit and run every test ---------------------------===#
#
# Installs what is missing, builds, then runs the lit regression tests and the
# GoogleTest unit tests (two lit suites). Prints both counts; exits non-zero
# when a test fails.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# Test-only Python packages: ONNX Runtime runs the models lowbit exports
# (test/Target/ONNX/Export). They go to a virtual environment in the build
# directory that also sees Debian's python3-onnx and numpy.
test_venv="$LOWBIT_BUILD_DIR/test-venv"
if ! "$test_venv/bin/python" -c "import onnxruntime, onnx, numpy" 2>/dev/null; then
  if ! /usr/bin/python3 -c "import ensurepip" 2>/dev/null; then
    echo "lowbit: installing python3-venv"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
      --no-install-recommends python3-venv >/dev/null
  fi
  echo "lowbit: installing onnxruntime (test-only) into $test_venv"
  rm -rf "$test_venv"
  /usr/bin/python3 -m venv --system-site-packages "$test_venv"
  "$test_venv/bin/pip" install -q --disable-pip-version-check "onnxruntime>=1.20"
  # The system's numpy must stay the one Debian's onnx was built with.
  "$test_venv/bin/python" -c "import onnxruntime, onnx, numpy"
fi

status=0
run_suite() {
  local name=$1 target=$2 log
  log=$(mktemp)
  if ninja -C "$LOWBIT_BUILD_DIR" "$target" 2>&1 | tee "$log"; then :; else status=1; fi
  summary+=("$name: $(grep -E '^ *(Passed|Failed|Unsupported|Expectedly Failed|Unresolved)' "$log" | tr -s ' ' | paste -sd ',' -)")
  rm -f "$log"
}
summary=()
run_suite "regression tests (lit)" check-lowbit-lit
run_suite "unit tests (GoogleTest)" check-lowbit-unit

echo
echo "=== lowbit test summary ==="
printf '%s\n' "${summary[@]}"
if [ "$status" -ne 0 ]; then
  echo "FAILED"
else
  echo "ALL PASSED"
fi
exit "$status"
