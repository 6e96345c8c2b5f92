// lowbit-smooth-quant refuses an alpha outside [0, 1], a missing or
// malformed statistics file, statistics whose channel count is not the
// weight's K, and (with require-all) a matmul without statistics: smoothing
// with made-up scales would silently change what is quantized.
// RUN: echo '{"version": 1, "activations": {"fc": {"channel_abs_max": [1, 2, 3]}}}' > %t.short.json
// RUN: echo '{"version": 1, "activations": {"other": {"channel_abs_max": [1, 2]}}}' > %t.other.json
// RUN: echo '{"version": 1, "activations": {"fc": {"channel_abs_max": [1, -2]}}}' > %t.negative.json
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.other.json alpha=1.5" 2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.other.json alpha=-0.1" 2>&1 | FileCheck %s --check-prefix=ALPHANEG
// RUN: not lowbit-opt %s --lowbit-smooth-quant 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.missing.json" 2>&1 | FileCheck %s --check-prefix=MISSINGFILE
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.short.json" 2>&1 | FileCheck %s --check-prefix=SHORT
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.negative.json" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not lowbit-opt %s --lowbit-smooth-quant="stats=%t.other.json require-all=true" 2>&1 | FileCheck %s --check-prefix=REQUIRE
// RUN: lowbit-opt %s --lowbit-smooth-quant="stats=%t.other.json" 2>&1 | FileCheck %s --check-prefix=SKIP

// ALPHA: lowbit-smooth-quant: option 'alpha' must be in [0, 1], got 1.5
// ALPHANEG: lowbit-smooth-quant: option 'alpha' must be in [0, 1], got -1.000000e-01
// NOSTATS: lowbit-smooth-quant: option 'stats' (a statistics file with channel_abs_max) is required
// MISSINGFILE: lowbit-smooth-quant: statistics file '{{.*}}missing.json': cannot read it
// SHORT: error: loc("fc"): lowbit-smooth-quant: statistics for 'fc' have 3 channels, expected 2 (the weight's K dimension)
// NEGATIVE: statistics file '{{.*}}negative.json': activation 'fc': "channel_abs_max" must hold finite non-negative numbers
// REQUIRE: error: loc("fc"): lowbit-smooth-quant: statistics file '{{.*}}other.json' has no channel_abs_max for the input of 'fc'
// SKIP: remark: lowbit-smooth-quant: 1 matmul(s) without channel_abs_max in '{{.*}}other.json' left unsmoothed: fc
// SKIP-NOT: remark
// SKIP: dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]>
func.func @f(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  return %y : tensor<2x2xf32>
}
