#!/usr/bin/env bash
# Peak RSS of `lowbit-run --calibrate` over N and 10N samples: the
# calibration runtime keeps no activation, so the two figures should match
# (up to allocator noise) however many samples there are.
#
#   bench/calibration_memory.sh [N]        (default N = 20)
#
# The model: x[64, 512] -> fc1 [512, 512] -> fc2 [512, 512], both inputs
# observed with min_max, histogram (2048 bins), channel_abs_max and gram
# (a 512 x 512 float64 Gram matrix, 2 MiB, per observer). One sample is
# 128 KiB of f32, so 10N = 200 samples are 25 MiB of activations that a
# runtime storing them would hold.
# Tools come from $LOWBIT_BIN (default: build/bin next to this script).
set -euo pipefail
N=${1:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${LOWBIT_BIN:-$HERE/../build/bin}
MAKE_NPY=$HERE/../test/Tools/lowbit-run/Inputs/make_npy.py
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK/model.mlir" <<'PY'
import sys
def weight(name):
    return ('  %{0} = arith.constant dense<0.01> : tensor<512x512xf32>\n'.format(name))
body = ['func.func @main(%x: tensor<64x512xf32>) -> tensor<64x512xf32> {\n',
        weight('w1'), weight('w2'),
        '  %z = arith.constant 0.0 : f32\n',
        '  %e = tensor.empty() : tensor<64x512xf32>\n',
        '  %i = linalg.fill ins(%z : f32) outs(%e : tensor<64x512xf32>) -> tensor<64x512xf32>\n',
        '  %h = linalg.matmul ins(%x, %w1 : tensor<64x512xf32>, tensor<512x512xf32>) outs(%i : tensor<64x512xf32>) -> tensor<64x512xf32> loc("fc1")\n',
        '  %y = linalg.matmul ins(%h, %w2 : tensor<64x512xf32>, tensor<512x512xf32>) outs(%i : tensor<64x512xf32>) -> tensor<64x512xf32> loc("fc2")\n',
        '  return %y : tensor<64x512xf32>\n}\n']
open(sys.argv[1], 'w').write(''.join(body))
PY
"$BIN/lowbit-opt" "$WORK/model.mlir" \
  --lowbit-insert-observers="stats=min_max,histogram,channel_abs_max,gram" \
  -o "$WORK/observed.mlir"

for count in "$N" $((10 * N)); do
  dir=$WORK/samples_$count
  mkdir -p "$dir"
  for i in $(seq 1 "$count"); do
    python3 "$MAKE_NPY" "$dir/x$(printf %05d "$i").npy" --shape=64x512 \
      --random="$i" --low=-1 --high=1
  done
  /usr/bin/time -v "$BIN/lowbit-run" "$WORK/observed.mlir" \
    --calibrate="$dir" --stats="$WORK/stats_$count.json" \
    2>"$WORK/time_$count.txt" >/dev/null
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time_$count.txt")
  echo "samples=$count peak_rss_kib=$rss"
done
