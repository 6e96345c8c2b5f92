// lowbit-cpu-kernels rejects option values it cannot build a kernel for.
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="vector-width=12" 2>&1 | FileCheck %s --check-prefix=WIDTH
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="rows=0" 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="cols=3" 2>&1 | FileCheck %s --check-prefix=COLS
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="gemm-min-rows=-1" 2>&1 | FileCheck %s --check-prefix=GEMM
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="vector-width=8 bf16-products=true" 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: not lowbit-opt %s --lowbit-cpu-kernels="vector-width=8 avx512bf16=true" 2>&1 | FileCheck %s --check-prefix=AVX512BF16

// WIDTH: lowbit-cpu-kernels: vector-width must be a power of two in [1, 64], got 12
// ROWS: lowbit-cpu-kernels: rows must be in [1, 16], got 0
// COLS: lowbit-cpu-kernels: cols must be 0 (automatic) or a power of two in [1, 16], got 3
// GEMM: lowbit-cpu-kernels: gemm-min-rows must be 0 (automatic) or positive, got -1
// BF16: lowbit-cpu-kernels: bf16-products needs vector-width=16 (vdpbf16ps of AVX512-BF16), got vector-width=8
// AVX512BF16: lowbit-cpu-kernels: avx512bf16 needs vector-width=16 (vdpbf16ps of AVX512-BF16), got vector-width=8
func.func @f() {
  return
}
