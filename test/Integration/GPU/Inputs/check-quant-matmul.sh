#!/usr/bin/env bash
# check-quant-matmul.sh LOWBIT_OPT LOWBIT_RUN FILECHECK CHECK_FILE CASE_DIR
#                       PIPELINE [RTOL]
#
# Quantizes CASE_DIR/linear.mlir with PIPELINE (weights and activations:
# integer lowbit.matmuls), runs it on the CPU with the generic lowering
# (the reference), then again after lowbit-gpu-quant-matmul with
# host-emulation, and compares the two with tolerance RTOL (default 0:
# exact; quant-matmul-host-emulation.mlir says why); EMULATION (default
# the mma.sync kernel's) is the pass pipeline (inside builtin.module) that
# builds the emulated kernel. FileCheck checks, with
# CHECK_FILE, that the emulated kernel replaced the lowbit.matmul and that
# the results pass. As in check-gemv.sh, the emulated body holds vector
# ops (and ub.poison), lowered with convert-vector-to-llvm and
# convert-ub-to-llvm after lowbit-lower-to-cpu.
set -euo pipefail
opt=$1 run=$2 filecheck=$3 checks=$4 dir=$5 pipeline=$6 tol=${7:-0}
name=$(echo "$pipeline" | tr -c 'a-zA-Z0-9\n' '_')
"$opt" "$dir/linear.mlir" --pass-pipeline="builtin.module($pipeline)" -o "$dir/$name.q.mlir"
"$run" "$dir/$name.q.mlir" --input="$dir/x.npy" --output="$dir/$name.ref.npy" >/dev/null
emulation=${EMULATION:-"func.func(lowbit-gpu-quant-matmul{host-emulation=true})"}
"$opt" "$dir/$name.q.mlir" --pass-pipeline="builtin.module($emulation)" -o "$dir/$name.emu.mlir"
"$filecheck" "$checks" < "$dir/$name.emu.mlir"
"$opt" "$dir/$name.emu.mlir" -o "$dir/$name.emu.llvm.mlir" \
  --pass-pipeline="builtin.module(lowbit-lower-to-cpu,convert-vector-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts)"
"$run" "$dir/$name.emu.llvm.mlir" --input="$dir/x.npy" --expected="$dir/$name.ref.npy" \
  --rtol="$tol" --atol="$tol" | "$filecheck" "$checks" --check-prefix=PASS
