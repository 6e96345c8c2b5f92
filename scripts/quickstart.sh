#!/usr/bin/env bash
#===- quickstart.sh - quantize the bundled example model ------------------===#
#
# Installs what is missing, builds lowbit, generates the example model
# (examples/generate_mlp.py: a transformer MLP block with a 256-way head),
# quantizes it with each weight-only pipeline and prints what each scheme
# costs: weight bytes against f32, and the error of every dequantized weight
# (SQNR, cosine) from the passes' JSON reports.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

out="$LOWBIT_BUILD_DIR/quickstart"
mkdir -p "$out"
python3 "$LOWBIT_ROOT/examples/generate_mlp.py" "$out/mlp.mlir"
opt="$LOWBIT_BUILD_DIR/bin/lowbit-opt"

reports=()
for spec in "w8a16:lowbit-w8a16" "w4a16-g128:lowbit-w4a16" \
            "w4a16-g32-clip:lowbit-w4a16{group-size=32 clip-search=true}" \
            "nf4-g64:lowbit-nf4" "fp8-e4m3:lowbit-fp8"; do
  name=${spec%%:*}
  pipeline=${spec#*:}
  report="$out/$name.json"
  if [[ "$pipeline" == *"{"* ]]; then
    pipeline="${pipeline%\}} report=$report}"
  else
    pipeline="$pipeline{report=$report}"
  fi
  "$opt" "$out/mlp.mlir" --pass-pipeline="builtin.module($pipeline)" \
    --emit-bytecode -o "$out/$name.mlirbc"
  reports+=("$name=$report")
done

echo
echo "lowbit quickstart: $out/mlp.mlir (3 linear layers, $(python3 -c "print(512*1536*2+512*256)") weights)"
python3 "$LOWBIT_ROOT/examples/summarize_reports.py" "${reports[@]}"
echo
echo "Quantized models: $out/*.mlirbc (inspect with: $opt $out/w4a16-g128.mlirbc)"
echo "Per-layer figures: $out/*.json"
echo "Running the models on the CPU (output SQNR and latency against float) needs"
echo "the CPU code generation, which is not built yet."
