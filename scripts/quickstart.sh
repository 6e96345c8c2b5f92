#!/usr/bin/env bash
#===- quickstart.sh - quantize, compile and run the example model ---------===#
#
# Installs what is missing, builds lowbit, then quantizes the bundled example
# model with each named pipeline, compiles and runs it and the float model on
# the CPU, and prints a table: weight bytes, output SQNR and cosine against
# float, latency against float (examples/quickstart.py).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
python3 "$LOWBIT_ROOT/examples/quickstart.py" "$LOWBIT_BUILD_DIR"
