#!/usr/bin/env bash
#===- bench/llm_methods_table.sh - RTN/AWQ/GPTQ and SmoothQuant SQNR ------===#
#
# Usage: bench/llm_methods_table.sh [BUILD_DIR [WORK_DIR]]
#   (defaults: build, a fresh temporary directory)
#
# Generates the MLP block of bench/make_llm_case.py (Student-t weights, six
# outlier input channels, K = 256), calibrates it once with the min-max,
# histogram, channel abs-max and Gram statistics, and prints the output
# SQNR of each method against the float model on a held-out input:
# int4 g128 weight-only with RTN, AWQ, GPTQ and GPTQ act-order, and W8A8
# with static activation scales without and with SmoothQuant (alpha 0.5).
# Everything is seeded: the table is reproducible. Results:
# docs/passes/gptq-awq.md.
#
#===----------------------------------------------------------------------===#

set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
opt="$build/bin/lowbit-opt"
run="$build/bin/lowbit-run"

python3 "$here/make_llm_case.py" "$work"
"$opt" "$work/model.mlir" \
  --lowbit-insert-observers="stats=min_max,histogram,channel_abs_max,gram" \
  -o "$work/observed.mlir"
"$run" "$work/observed.mlir" --calibrate="$work/samples" \
  --stats="$work/stats.json" > "$work/calibrate.log" 2>&1
"$run" "$work/model.mlir" --input="$work/eval.npy" --output="$work/float.npy" \
  > /dev/null

stats="$work/stats.json"
declare -a names=(
  "int4 g128 RTN"
  "int4 g128 AWQ"
  "int4 g128 GPTQ"
  "int4 g128 GPTQ act-order"
  "W8A8 static"
  "W8A8 static + SmoothQuant 0.5"
)
declare -a flags=(
  "--lowbit-w4a16=method=rtn"
  "--lowbit-w4a16=method=awq stats=$stats"
  "--lowbit-w4a16=method=gptq stats=$stats"
  "--lowbit-quantize-weights=format=i4 granularity=group group-size=128 method=gptq act-order=true stats=$stats"
  "--lowbit-w8a8=activations=static stats=$stats"
  "--lowbit-w8a8=activations=static stats=$stats smooth=0.5"
)

printf '| %-30s | %s |\n' "method" "output SQNR"
printf '|%s|%s|\n' "--------------------------------" "-------------"
for i in "${!names[@]}"; do
  "$opt" "$work/model.mlir" "${flags[$i]}" -o "$work/m$i.mlir"
  # lowbit-run exits non-zero when the output is outside its default
  # tolerance; only the SQNR it prints matters here.
  "$run" "$work/m$i.mlir" --input="$work/eval.npy" \
    --expected="$work/float.npy" > "$work/m$i.txt" 2>&1 || true
  sqnr="$(sed -n 's/.*sqnr_db=\([^ ]*\).*/\1/p' "$work/m$i.txt" | head -n 1)"
  if [ -z "$sqnr" ]; then
    echo "error: no SQNR for '${names[$i]}' (see $work/m$i.txt)" >&2
    exit 1
  fi
  printf '| %-30s | %8.2f dB |\n' "${names[$i]}" "$sqnr"
done
