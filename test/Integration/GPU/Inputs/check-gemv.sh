#!/usr/bin/env bash
# check-gemv.sh LOWBIT_OPT LOWBIT_RUN FILECHECK CHECK_FILE CASE_DIR PIPELINE [TOL]
#
# Quantizes CASE_DIR/linear.mlir with PIPELINE, runs it on the CPU with the
# generic lowering (the reference), then again after lowbit-gpu-gemv with
# host-emulation, and compares the two (gemv-host-emulation.mlir says why
# the tolerances are what they are; TOL, default 1e-3, is both rtol and
# atol); EMULATION (default lowbit-gpu-gemv's host emulation) is the
# pass pipeline (inside builtin.module) that builds the emulated kernel. FileCheck checks, with
# CHECK_FILE,
# that the GEMV body replaced the dequant_matmul and that the results pass.
# The emulated body holds vector ops, which lowbit-lower-to-cpu leaves
# alone, so it is lowered here with convert-vector-to-llvm after it and run
# as an LLVM-dialect module (linear.mlir carries lowbit.signature).
set -euo pipefail
opt=$1 run=$2 filecheck=$3 checks=$4 dir=$5 pipeline=$6 tol=${7:-1e-3}
name=$(echo "$pipeline" | tr -c 'a-zA-Z0-9\n' '_')
"$opt" "$dir/linear.mlir" --pass-pipeline="builtin.module($pipeline)" -o "$dir/$name.q.mlir"
"$run" "$dir/$name.q.mlir" --input="$dir/x.npy" --output="$dir/$name.ref.npy" >/dev/null
emulation=${EMULATION:-"func.func(lowbit-gpu-gemv{host-emulation=true})"}
"$opt" "$dir/$name.q.mlir" --pass-pipeline="builtin.module($emulation)" -o "$dir/$name.emu.mlir"
"$filecheck" "$checks" < "$dir/$name.emu.mlir"
"$opt" "$dir/$name.emu.mlir" -o "$dir/$name.emu.llvm.mlir" \
  --pass-pipeline="builtin.module(lowbit-lower-to-cpu,convert-vector-to-llvm,reconcile-unrealized-casts)"
"$run" "$dir/$name.emu.llvm.mlir" --input="$dir/x.npy" --expected="$dir/$name.ref.npy" \
  --rtol="$tol" --atol="$tol" | "$filecheck" "$checks" --check-prefix=PASS
