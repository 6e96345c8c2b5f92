#!/usr/bin/env bash
#===- bench/gpu/run_h200.sh - the GPU run of lowbit-lower-to-nvvm ---------===#
#
# Run once on a machine with an NVIDIA GPU (written for an H200, sm_90a):
#
#   bench/gpu/run_h200.sh [OUT_DIR]         (default bench/gpu/out)
#
# 1. Environment: the GPU (nvidia-smi), python3, and lowbit's tools in
#    $LOWBIT_BUILD_DIR (default build/); when they are missing or do not
#    start, scripts/setup.sh builds them (needs the Debian LLVM 22 packages).
# 2. Correctness against the CPU on seeded random inputs: an f16 linear
#    layer [M, K] x [K, N] with K = N = 2048 and N(0, 0.02^2) weights,
#    quantized by --lowbit-w4a16 (g128), --lowbit-w8a16, --lowbit-nf4 and
#    --lowbit-fp8, for M = 1, 4, 16 (the GEMV kernel), M = 32 (the
#    unstaged tensor-core kernel), M = 64 (the staged one: its wgmma
#    variant on sm_90a, the mma.sync one as sm_80 code) and M = 24 (the
#    generic kernels), run by
#    lowbit-run --device=cuda, which compares the GPU result with the CPU
#    result of the same model. Then the integer lowbit.matmul of
#    --lowbit-w8a8 (dynamic per-row i8 activations) at M = 32 (the s8
#    tensor-core kernel of lowbit-gpu-quant-matmul), M = 64 (its staged
#    mma.sync kernel) and M = 24 (generic),
#    and an FP8 E4M3 x E4M3 lowbit.matmul of constant codes at M = 32
#    (the FP8 mma.sync kernel on sm_90a); on sm_90a the TMA + wgmma kernel
#    (W8A8 at M = 128 and 256, FP8 codes at 256 x 640 x 384, a requantize
#    to i8).
# 3. Timing with CUDA events (gemv_bench.py): the W4A16 g128 GEMV kernel
#    for M = 1, 2, 4, 8, 16 on [K, N] = [4096, 4096], [8192, 8192] and
#    [8192, 28672], over a weight set of at least 1 GiB (rotated copies),
#    against cublasGemmEx f16 on the same shapes (its f16 weights rotated
#    the same way), and the HBM bandwidth of a 1 GiB device-to-device copy;
#    then the tensor-core kernel for M = 32 .. 256 on [8192, 8192] against
#    the same cuBLAS call. Last, the W8A8 and FP8 GEMMs (the wgmma kernel
#    on sm_90a) at M = 1024 and 4096 on [K, N] = [8192, 8192]
#    against cuBLAS i8 (cublasGemmEx, i32 accumulation) and cublasLt FP8
#    E4M3 (f16 result), as a fraction of cuBLAS's rate.
#
# Writes OUT_DIR/results.md (the tables for docs/Benchmarks.md) and the raw
# logs next to it. Takes a few minutes; every step prints what it runs.
#
#===----------------------------------------------------------------------===#
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${LOWBIT_BUILD_DIR:-$ROOT/build}
OUT=${1:-$ROOT/bench/gpu/out}
CHIP=${LOWBIT_CHIP:-sm_90a}
HERE=$ROOT/bench/gpu
mkdir -p "$OUT"
RESULTS=$OUT/results.md
LOG=$OUT/run.log
: >"$LOG"

say() { echo "== $*" | tee -a "$LOG"; }

#--- 1. Environment -----------------------------------------------------------
say "environment"
{ nvidia-smi -L 2>&1 || echo "nvidia-smi not available"; } | tee -a "$LOG"
command -v python3 >/dev/null || { echo "python3 is required" | tee -a "$LOG"; exit 1; }
if ! python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL("libcuda.so.1").cuInit(0) != 0)' 2>>"$LOG"; then
  echo "no CUDA driver found (libcuda.so.1 missing or cuInit failed): nothing to run" | tee -a "$LOG"
  exit 1
fi
tools_ok() {
  "$BUILD/bin/lowbit-opt" --version >/dev/null 2>&1 &&
    "$BUILD/bin/lowbit-run" --help >/dev/null 2>&1
}
if ! tools_ok; then
  say "building lowbit in $BUILD (scripts/setup.sh)"
  LOWBIT_BUILD_DIR=$BUILD "$ROOT/scripts/setup.sh" >>"$LOG" 2>&1 || true
  tools_ok || { echo "lowbit-opt/lowbit-run do not run; see $LOG" | tee -a "$LOG"; exit 1; }
fi
OPT=$BUILD/bin/lowbit-opt
RUN=$BUILD/bin/lowbit-run

{
  echo "# lowbit-lower-to-nvvm on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
  echo
  echo "Commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null), chip $CHIP, $(date -u +%Y-%m-%d)."
  echo
} >"$RESULTS"

#--- 2. Correctness -----------------------------------------------------------
# Tolerances: y has |y| < 4 here; CPU and GPU both accumulate in f32 (in a
# different order for the GEMV kernel, ~1e-6 apart) and round to f16, so a
# result can move by one f16 ulp (< 4e-3 at |y| < 4); 1e-2 passes that and
# fails any real error (a wrong code or scale moves y by ~0.1 or more).
say "correctness against the CPU (lowbit-run --device=cuda)"
{
  echo "## Correctness against the CPU (K = N = 2048, seeded N(0, 1) input)"
  echo
  echo "| pipeline | M | kernel | result |"
  echo "|---|---|---|---|"
} >>"$RESULTS"
failures=0
# check_on_gpu LABEL M KERNEL MODEL X ATOL [RTOL]: runs MODEL on the GPU and
# on the CPU (lowbit-run --device=cuda) and records the comparison (RTOL
# defaults to ATOL).
check_on_gpu() {
  local label=$1 m=$2 kernel=$3 model=$4 x=$5 tol=$6 rtol=${7:-$6} result
  if "$RUN" "$model" --input="$x" --device=cuda --chip=${CHECK_CHIP:-$CHIP} \
      --rtol="$rtol" --atol="$tol" >"$model.out" 2>&1; then
    result=$(grep -A1 "^cuda:" "$model.out" | tail -1)
  else
    result="FAIL: $(tail -3 "$model.out" | tr '\n' ' ')"
    failures=$((failures + 1))
  fi
  echo "  $label M=$m: $result" | tee -a "$LOG"
  echo "| $label | $m | $kernel | $result |" >>"$RESULTS"
}
for M in 1 4 16 32 64 24; do
  case_dir=$OUT/check-m$M
  python3 "$HERE/make_gemv_case.py" check "$case_dir" --m=$M --k=2048 --n=2048 --seed=$M
  kernel=GEMV
  [ "$M" -eq 32 ] && kernel="tensor cores"
  [ "$M" -eq 64 ] && kernel="staged tensor cores"
  # On sm_90a, M = 64 with N % 128 and K % 64 takes the wgmma variant.
  [ "$M" -eq 64 ] && [ "$CHIP" = sm_90a ] && kernel="staged wgmma (sm_90a)"
  [ "$M" -eq 24 ] && kernel=generic
  for pipeline in w4a16 w8a16 nf4 fp8; do
    "$OPT" "$case_dir/linear.mlir" --lowbit-$pipeline -o "$case_dir/$pipeline.mlir" >>"$LOG" 2>&1
    check_on_gpu "$pipeline" $M "$kernel" "$case_dir/$pipeline.mlir" "$case_dir/x.npy" 1e-2
  done
done
# The staged kernel with groups of 32 (a k-tile per group), and with bf16
# activations (bf16 behind an f32 interface: lowbit-run has no bf16 arrays;
# rounding the dequantized weights to bf16 moves y by up to ~2^-9
# relative per term, so 2e-2 at |y| < 4).
case_dir=$OUT/check-m64
"$OPT" "$case_dir/linear.mlir" --lowbit-w4a16=group-size=32 -o "$case_dir/w4a16-g32.mlir" >>"$LOG" 2>&1
check_on_gpu "w4a16 g32" 64 "staged tensor cores" "$case_dir/w4a16-g32.mlir" "$case_dir/x.npy" 1e-2
# The mma.sync staged kernel on this GPU too: code for sm_80 (JIT-compiled
# by the driver for the device), which has no wgmma variant.
if [ "$CHIP" = sm_90a ]; then
  for pipeline in w4a16 nf4; do
    CHECK_CHIP=sm_80 check_on_gpu "$pipeline (sm_80 code)" 64 "staged mma.sync" "$case_dir/$pipeline.mlir" "$case_dir/x.npy" 1e-2
  done
fi
case_dir=$OUT/check-m64-bf16
python3 "$HERE/make_gemv_case.py" check "$case_dir" --m=64 --k=2048 --n=2048 --seed=65 --dtype=bf16
for pipeline in w4a16 w8a16; do
  "$OPT" "$case_dir/linear.mlir" --lowbit-$pipeline -o "$case_dir/$pipeline.mlir" >>"$LOG" 2>&1
  check_on_gpu "$pipeline bf16" 64 "staged tensor cores (bf16; wgmma on sm_90a)" "$case_dir/$pipeline.mlir" "$case_dir/x.npy" 2e-2
done
for M in 32 64 24; do
  case_dir=$OUT/check-m$M
  kernel="s8 tensor cores"
  [ "$M" -eq 64 ] && kernel="staged s8 tensor cores"
  [ "$M" -eq 24 ] && kernel=generic
  "$OPT" "$case_dir/linear.mlir" --lowbit-w8a8 -o "$case_dir/w8a8.mlir" >>"$LOG" 2>&1
  check_on_gpu w8a8 $M "$kernel" "$case_dir/w8a8.mlir" "$case_dir/x.npy" 1e-2
done
# FP8 x FP8 from constant codes (FP8 activations are not quantized at run
# time by the lowerings yet); f32 results, summed in another order on the
# GPU: 1e-3 is far above that and far below a wrong code or scale.
case_dir=$OUT/check-fp8
python3 "$ROOT/test/Integration/GPU/Inputs/make_matmul_case.py" "$case_dir" --m=32 --k=256 --n=64 --seed=3
check_on_gpu "fp8 matmul (E4M3 codes)" 32 "FP8 tensor cores ($CHIP)" "$case_dir/linear.mlir" "$case_dir/x.npy" 1e-3
# The TMA + wgmma kernel of lowbit-gpu-staged-matmul (sm_90a; M, N, K
# multiples of 128): W8A8 at M = 128 and 256 (exact i32 sums: 1e-2 as
# above), FP8 codes (the FP8 tensor cores accumulate with fewer bits than
# f32, about 2^-13 relative per partial sum over K = 640: 1e-2 relative is
# above that and below a wrong tile, which moves y by its own size), and a
# requantize(...) to i8 (codes, absolute 1: integer sums are exact, but
# the GPU may contract the f32 epilogue's multiply-adds and round a
# result the other way).
if [ "$CHIP" = sm_90a ]; then
  for M in 128 256; do
    case_dir=$OUT/check-wgmma-m$M
    python3 "$HERE/make_gemv_case.py" check "$case_dir" --m=$M --k=2048 --n=2048 --seed=$((M + 7))
    "$OPT" "$case_dir/linear.mlir" --lowbit-w8a8 -o "$case_dir/w8a8.mlir" >>"$LOG" 2>&1
    check_on_gpu w8a8 $M "wgmma (TMA, sm_90a)" "$case_dir/w8a8.mlir" "$case_dir/x.npy" 1e-2
  done
  case_dir=$OUT/check-wgmma-fp8
  python3 "$ROOT/test/Integration/GPU/Inputs/make_matmul_case.py" "$case_dir" --m=256 --k=640 --n=384 --seed=4
  check_on_gpu "fp8 matmul (E4M3 codes)" 256 "wgmma (TMA, sm_90a)" "$case_dir/linear.mlir" "$case_dir/x.npy" 1e-2
  case_dir=$OUT/check-wgmma-req
  python3 "$ROOT/test/Integration/GPU/Inputs/make_matmul_case.py" "$case_dir" --m=128 --k=512 --n=256 --lhs=i8 --rhs=i8 --result=i8 --seed=5
  check_on_gpu "i8 matmul, requantize to i8" 128 "wgmma (TMA, sm_90a)" "$case_dir/linear.mlir" "$case_dir/x.npy" 1 0
fi
echo >>"$RESULTS"

#--- 3. Timing ----------------------------------------------------------------
# get FIELD: FIELD=value from gemv_bench.py's last line ($line).
get() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# to_us MS: milliseconds as microseconds with one decimal (n/a stays n/a).
to_us() {
  if [ "$1" = "n/a" ]; then echo n/a; else python3 -c "print('%.1f' % (1000 * $1))"; fi
}
say "timing (gemv_bench.py, CUDA events, weight set >= 1 GiB)"
{
  echo "## W4A16 g128 GEMV against cuBLAS f16 (median of 200 launches)"
  echo
  echo "Bandwidth counts the bytes the kernel must move (int4 weight, f16"
  echo "scales, x and y); the HBM reference is a 1 GiB device-to-device copy"
  echo "(2 GiB moved). Speed-up is the cuBLAS f16 time over lowbit's."
  echo
  echo "| K | N | M | lowbit us | GB/s | of HBM copy | cuBLAS f16 us | speed-up |"
  echo "|---|---|---|---|---|---|---|---|"
} >>"$RESULTS"
for shape in 4096x4096 8192x8192 8192x28672; do
  K=${shape%x*}
  N=${shape#*x}
  for M in 1 2 4 8 16; do
    case_dir=$OUT/time-$shape-m$M
    python3 "$HERE/make_gemv_case.py" time "$case_dir" --m=$M --k=$K --n=$N
    line=$(python3 "$HERE/gemv_bench.py" --lowbit-opt="$OPT" --model="$case_dir/gemv.mlir" \
      --chip=$CHIP --m=$M --k=$K --n=$N 2>&1 | tee -a "$LOG" | tail -1)
    echo "  $shape M=$M: $line"
    ms=$(get lowbit_ms)
    if [ -z "$ms" ]; then
      echo "| $K | $N | $M | failed: $line | | | | |" >>"$RESULTS"
      continue
    fi
    blas=$(get cublas_ms)
    us=$(to_us "$ms")
    blas_us=$(to_us "$blas")
    echo "| $K | $N | $M | $us | $(get lowbit_gbs) | $(get hbm_fraction) | $blas_us | $(get speedup) |" >>"$RESULTS"
  done
done
hbm=$(grep -o "hbm_copy_gbs=[0-9.]*" "$LOG" | tail -1 | cut -d= -f2)
{
  echo
  echo "HBM device-to-device copy: ${hbm:-n/a} GB/s."
  echo
  echo "## W4A16 g128 tensor-core kernel against cuBLAS f16 (K = N = 8192)"
  echo
  echo "| M | lowbit us | cuBLAS f16 us | speed-up |"
  echo "|---|---|---|---|"
} >>"$RESULTS"
for M in 32 64 128 256; do
  case_dir=$OUT/time-mma-m$M
  python3 "$HERE/make_gemv_case.py" time "$case_dir" --m=$M --k=8192 --n=8192
  line=$(python3 "$HERE/gemv_bench.py" --lowbit-opt="$OPT" --model="$case_dir/gemv.mlir" \
    --chip=$CHIP --m=$M --k=8192 --n=8192 2>&1 | tee -a "$LOG" | tail -1)
  echo "  mma M=$M: $line"
  ms=$(get lowbit_ms)
  if [ -z "$ms" ]; then
    echo "| $M | failed: $line | | |" >>"$RESULTS"
    continue
  fi
  blas=$(get cublas_ms)
  us=$(to_us "$ms")
  blas_us=$(to_us "$blas")
  echo "| $M | $us | $blas_us | $(get speedup) |" >>"$RESULTS"
done

{
  echo
  echo "## W8A8 and FP8 GEMM (the wgmma kernel of lowbit-gpu-staged-matmul on sm_90a) against cuBLAS (K = N = 8192)"
  echo
  echo "Fraction of cuBLAS = cuBLAS time over lowbit's (the issue's FP8 target:"
  echo "0.6 at M >= 1024)."
  echo
  echo "| codes | M | lowbit us | lowbit TOPS | cuBLAS us | fraction of cuBLAS |"
  echo "|---|---|---|---|---|---|"
} >>"$RESULTS"
for codes in i8 f8E4M3FN; do
  peer=i8
  [ "$codes" = f8E4M3FN ] && peer=fp8
  for M in 1024 4096; do
    case_dir=$OUT/time-gemm-$codes-m$M
    python3 "$HERE/make_gemv_case.py" gemm "$case_dir" --m=$M --k=8192 --n=8192 --codes=$codes
    line=$(python3 "$HERE/gemv_bench.py" --lowbit-opt="$OPT" --model="$case_dir/gemm.mlir" \
      --chip=$CHIP --m=$M --k=8192 --n=8192 --peer=$peer --iters=50 2>&1 | tee -a "$LOG" | tail -1)
    echo "  gemm $codes M=$M: $line"
    ms=$(get lowbit_ms)
    if [ -z "$ms" ]; then
      echo "| $codes | $M | failed: $line | | | |" >>"$RESULTS"
      continue
    fi
    blas=$(get cublas_ms)
    us=$(to_us "$ms")
    blas_us=$(to_us "$blas")
    echo "| $codes | $M | $us | $(get lowbit_tops) | $blas_us | $(get speedup) |" >>"$RESULTS"
  done
done

say "results in $RESULTS"
cat "$RESULTS"
exit $((failures > 0))
