// The plugin's verifiers run inside upstream mlir-opt.
// UNSUPPORTED: sanitizers
// RUN: %upstream_mlir_opt %s --load-dialect-plugin=%lowbit_plugin --verify-diagnostics

func.func @invalid(%x: tensor<2x96xf32>, %w: tensor<4x96xi4>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'lowbit.dequant_matmul' op weight group size 64 does not divide dimension 1 of size 96}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 64, axis = 1> scales(dense<1.0> : tensor<4x1xf32>) : tensor<2x96xf32>, tensor<4x96xi4> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
