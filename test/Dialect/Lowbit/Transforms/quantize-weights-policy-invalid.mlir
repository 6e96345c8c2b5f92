// Malformed policies: each error names the file, the rule and the key.
// RUN: echo '{"version": 1, "rules": [{"name": "fc", "bits": 4}]}' > %t.key.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.key.json" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: echo '{"version": 1, "rules": [{"name": "fc", "scheme": {"format": "nf4", "symmetric": false}}]}' > %t.impossible.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.impossible.json" 2>&1 | FileCheck %s --check-prefix=IMPOSSIBLE
// RUN: echo '{"version": 1, "rules": [{"name": "fc", "exclude": true, "scheme": {"format": "i8"}}]}' > %t.both.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.both.json" 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: echo '{"version": 1, "rules": [{"exclude": true}]}' > %t.nothing.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.nothing.json" 2>&1 | FileCheck %s --check-prefix=NOTHING
// RUN: echo '{"version": 1, "rules": [{"regex": "fc(", "exclude": true}]}' > %t.regex.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.regex.json" 2>&1 | FileCheck %s --check-prefix=REGEX
// RUN: echo '{"version": 1, "rules": [' > %t.truncated.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.truncated.json" 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.absent.json" 2>&1 | FileCheck %s --check-prefix=ABSENT
// RUN: not lowbit-opt %s --lowbit-quantize-weights="preset=gpt" 2>&1 | FileCheck %s --check-prefix=PRESET
// RUN: echo '{"version": 1, "rules": [{"position": "middle", "exclude": true}]}' > %t.position.json
// RUN: not lowbit-opt %s --lowbit-quantize-weights="policy=%t.position.json" 2>&1 | FileCheck %s --check-prefix=POSITION

// KEY: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}key.json': rule 0: unknown key 'bits'; expected name, regex, position, exclude or scheme
// IMPOSSIBLE: error: loc("fc"): lowbit-quantize-weights: rule 0 (name 'fc'): option 'symmetric=false': format nf4 is symmetric only; affine needs i8, u8, i4 or u4
// BOTH: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}both.json': rule 0 both excludes the matmul and gives it a scheme
// NOTHING: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}nothing.json': rule 0 selects nothing: give 'name', 'regex' or 'position'
// REGEX: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}regex.json': rule 0: invalid regex 'fc(':
// TRUNCATED: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}truncated.json': not valid JSON:
// ABSENT: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}absent.json': cannot read it: No such file or directory
// PRESET: error: lowbit-quantize-weights: option 'preset': unknown preset 'gpt'; expected none, llm or llm-int8-head
// POSITION: error: lowbit-quantize-weights: option 'policy': policy file '{{.*}}position.json': rule 0: 'position' must be "first", "last" or a non-negative integer

func.func @linear(%x: tensor<2x64xf32>, %acc: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.5> : tensor<64x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32> loc("fc")
  return %y : tensor<2x4xf32>
}
