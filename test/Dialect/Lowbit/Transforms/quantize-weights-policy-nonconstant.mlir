// A policy rule naming a matmul whose weight is an activation (attention
// scores): a warning at that matmul saying why the weight-only scheme cannot
// apply, and the matmul stays in float.
// RUN: echo '{"version": 1, "rules": [{"name": "attn.scores", "scheme": {"format": "i4", "granularity": "group", "group_size": 32}}]}' > %t.json
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=i8 policy=%t.json" 2>&1 | FileCheck %s

// CHECK: warning: loc("attn.scores"): lowbit-quantize-weights: policy rule 0 (name 'attn.scores') selects this matmul, but its weight is not a constant; weight-only quantization leaves it in float
// CHECK: linalg.matmul
// CHECK-NOT: lowbit.dequant_matmul
func.func @attention_scores(%q: tensor<4x8xf32>, %k: tensor<8x4xf32>, %acc: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = linalg.matmul ins(%q, %k : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32> loc("attn.scores")
  return %s : tensor<4x4xf32>
}
