// Upstream mlir-opt loads LowbitPlugin.so as a dialect and a pass plugin:
// it parses and verifies lowbit IR, and runs lowbit's passes and pipelines.
// (An instrumented plugin cannot load into the uninstrumented mlir-opt.)
// UNSUPPORTED: sanitizers
// RUN: %upstream_mlir_opt %s --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --split-input-file | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: %upstream_mlir_opt %s --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --split-input-file --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=i4 granularity=group group-size=32}))" | FileCheck %s --check-prefix=PASS
// RUN: %upstream_mlir_opt %s --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --split-input-file --pass-pipeline="builtin.module(lowbit-nf4{group-size=32})" | FileCheck %s --check-prefix=PIPELINE
// RUN: %upstream_mlir_opt --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --help | FileCheck %s --check-prefix=HELP

// ROUNDTRIP-LABEL: func.func @lowbit_ir(
// ROUNDTRIP: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<1.000000e+00> : tensor<4x2xf32>) : tensor<2x64xf32>, tensor<4x64xi4> -> tensor<2x4xf32>
func.func @lowbit_ir(%x: tensor<2x64xf32>, %w: tensor<4x64xi4>) -> tensor<2x4xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<1.0> : tensor<4x2xf32>) : tensor<2x64xf32>, tensor<4x64xi4> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// PASS-LABEL: func.func @linear(
// PASS: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense_resource<weight.scales> : tensor<4x2xf32>) : tensor<2x64xf32>, tensor<4x64xi4> -> tensor<2x4xf32>
// PIPELINE-LABEL: func.func @linear(
// PIPELINE: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense_resource<weight.scales> : tensor<4x2xf32>) : tensor<2x64xf32>, tensor<4x64xi4> -> tensor<2x4xf32>
func.func @linear(%x: tensor<2x64xf32>, %acc: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.125> : tensor<64x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x64xf32>, tensor<64x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// HELP: lowbit-quantize-weights
// HELP: lowbit-w4a16
