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
