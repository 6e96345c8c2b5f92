// Transformer pieces: Gather (embedding), LayerNormalization, batched
// MatMul with a 2-D weight (collapsed to linalg.matmul so weight
// quantization matches it), Transpose, MatMul of two activations
// (batch_matmul), Softmax, Gelu (opset 20, tanh form), reductions,
// Reshape with 0/-1, Unsqueeze/Squeeze with axes inputs, Concat, Identity
// and a Constant node.

// RUN: lowbit-translate --import-onnx %S/Inputs/transformer.onnx --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// CHECK-LABEL: func.func @main(
// CHECK-SAME: tensor<2x3xi64> {onnx.name = "ids"}
// CHECK-SAME: -> (tensor<2x3x1xf32> {onnx.name = "mean"}, tensor<2xf32> {onnx.name = "max"}, tensor<2x18xf32> {onnx.name = "flat"}, tensor<2x6xf32> {onnx.name = "scaled"})
// Gather: index the constant table with the (possibly negative) ids.
// CHECK: %[[TABLE:.*]] = arith.constant dense_resource<table> : tensor<10x4xf32>
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: tensor.extract %[[TABLE]]
// CHECK: loc("embed"(
// LayerNormalization: mean, variance, rsqrt.
// CHECK: math.rsqrt
// CHECK: loc("ln"(
// CHECK: tensor.collapse_shape {{.*}} tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: linalg.matmul {{.*}} tensor<6x4xf32>, tensor<4x6xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x6xf32> {{.*}}loc("q_proj"(
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1] {{.*}}loc("qt"(
// CHECK: linalg.batch_matmul {{.*}} -> tensor<2x3x3xf32> loc("scores"(
// Softmax: max, exp of the difference, sum, divide.
// CHECK: arith.maximumf {{.*}}loc("softmax"(
// CHECK: math.exp
// CHECK: arith.divf {{.*}}loc("softmax"(
// CHECK: math.tanh {{.*}}loc("gelu"(
// CHECK: -> tensor<2x3xf32> loc("mean"(
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x1xf32>
// CHECK: -> tensor<2x3xf32> loc("sum"(
// CHECK: -> tensor<2xf32> loc("max"(
// CHECK: tensor.collapse_shape {{.*}} tensor<2x3x6xf32> into tensor<2x18xf32> loc("flat"(
// CHECK: tensor.insert_slice {{.*}}[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x6xf32> loc("cat"(
// CHECK: tensor.insert_slice {{.*}}[0, 3] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x6xf32> loc("cat"(
// A small Constant node stays inline.
// CHECK: arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: arith.mulf {{.*}}loc("scale"(

// The whole module lowers for the CPU.
// RUN: lowbit-translate --import-onnx %S/Inputs/transformer.onnx | lowbit-opt --lowbit-lower-to-cpu | FileCheck %s --check-prefix=CPU
// CPU: llvm.func @main
