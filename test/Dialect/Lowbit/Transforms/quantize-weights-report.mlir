// The JSON report of lowbit-quantize-weights, on a weight whose error is
// worked out by hand: W = [1, 63.5, -2, 127] in i8 per tensor has s = 1 and
// dequantizes to [1, 64, -2, 127], so the only error is 0.5 on 63.5:
//   SQNR = 10 log10((1 + 63.5^2 + 2^2 + 127^2) / 0.5^2) = 49.067 dB,
//   bytes: 16 as f32, 4 codes + one f32 scale = 8 quantized (16 bits/weight).
// RUN: rm -f %t.json
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=i8 granularity=tensor report=%t.json" -o /dev/null
// RUN: FileCheck %s < %t.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="report=%t.missing-dir/r.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: not lowbit-opt %s --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{report=%t.nested.json}))" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not ls %t.nested.json

// CHECK: "pass": "lowbit-quantize-weights",
// CHECK: "total": {
// CHECK-NEXT: "bits_per_weight": 16,
// CHECK-NEXT: "float_bytes": 16,
// CHECK-NEXT: "quantized_bytes": 8
// CHECK: "version": 1,
// CHECK: "weights": [
// CHECK: "bits_per_weight": 16,
// CHECK-NEXT: "cosine": 0.99999{{[0-9]*}},
// CHECK-NEXT: "float_bytes": 16,
// CHECK-NEXT: "location": "{{.*}}quantize-weights-report.mlir:{{[0-9]+}}:{{[0-9]+}}",
// CHECK-NEXT: "max_abs_error": 0.5,
// CHECK-NEXT: "name": "weight.q",
// CHECK-NEXT: "quantized_bytes": 8,
// CHECK-NEXT: "relative_error": 0.0035{{[0-9]*}},
// CHECK-NEXT: "scheme": "#lowbit.scheme<i8>",
// CHECK-NEXT: "shape": [
// CHECK-NEXT: 2,
// CHECK-NEXT: 2
// CHECK-NEXT: ],
// CHECK-NEXT: "sqnr_db": 49.06{{[0-9]*}}

// UNWRITABLE: error: lowbit-quantize-weights: option 'report': cannot write '{{.*}}r.json.tmp'
// NESTED: error: lowbit-quantize-weights: option 'report' needs the pass to run on the module, not nested on 'func.func'

func.func @linear(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [63.5, 127.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
