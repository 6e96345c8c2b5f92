// RUN: lowbit-opt %s --split-input-file --lowbit-expose-layers | FileCheck %s --check-prefix=TAP
// RUN: lowbit-opt %s --split-input-file --lowbit-expose-layers=mode=isolate | FileCheck %s --check-prefix=ISO

// Two chained layers and a third sharing the second's input: the tap returns
// each distinct input once.

// TAP-LABEL: func.func @main(
// TAP-SAME:      %[[X:.*]]: tensor<4x8xf32> {onnx.name = "x"})
// TAP-SAME:      -> (tensor<4x2xf32> {onnx.name = "y"}, tensor<4x2xf32> {onnx.name = "z"}, tensor<4x8xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
// TAP-SAME:      attributes {lowbit.layers = [
// TAP-SAME:        {float_bytes = 512 : i64, input = 2 : i64, location = "fc1", name = "fc1", op = "linalg.matmul", output = 3 : i64, position = 0 : i64, weight = "", weight_elements = 128 : i64},
// TAP-SAME:        {float_bytes = 128 : i64, input = 4 : i64, location = "fc2", name = "fc2", op = "linalg.matmul", output = 5 : i64, position = 1 : i64, weight = "", weight_elements = 32 : i64},
// TAP-SAME:        {float_bytes = 128 : i64, input = 4 : i64, location = "fc3", name = "fc3", op = "linalg.matmul", output = 6 : i64, position = 2 : i64, weight = "", weight_elements = 32 : i64}],
// TAP-SAME:      lowbit.model_results = 2 : i64}
// TAP:         %[[H:.*]] = linalg.matmul ins(%[[X]], %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// TAP:         %[[R:.*]] = math.tanh %[[H]]
// TAP:         %[[Y:.*]] = linalg.matmul ins(%[[R]], %{{.*}} : tensor<4x16xf32>, tensor<16x2xf32>)
// TAP:         %[[Z:.*]] = linalg.matmul ins(%[[R]], %{{.*}} : tensor<4x16xf32>, tensor<16x2xf32>)
// TAP:         return %[[Y]], %[[Z]], %[[X]], %[[H]], %[[R]], %[[Y]], %[[Z]]

// ISO-LABEL: func.func @main(
// ISO-SAME:      %[[X:.*]]: tensor<4x8xf32> {onnx.name = "x"}, %[[I1:.*]]: tensor<4x8xf32>, %[[I2:.*]]: tensor<4x16xf32>, %[[I3:.*]]: tensor<4x16xf32>)
// ISO-SAME:      -> (tensor<4x2xf32> {onnx.name = "y"}, tensor<4x2xf32> {onnx.name = "z"}, tensor<4x16xf32>, tensor<4x2xf32>, tensor<4x2xf32>)
// ISO-SAME:      input = 1 : i64, {{.*}} name = "fc1", {{.*}} output = 2 : i64
// ISO-SAME:      input = 2 : i64, {{.*}} name = "fc2", {{.*}} output = 3 : i64
// ISO-SAME:      input = 3 : i64, {{.*}} name = "fc3", {{.*}} output = 4 : i64
// ISO:         %[[H:.*]] = linalg.matmul ins(%[[I1]], %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// ISO:         %[[Y:.*]] = linalg.matmul ins(%[[I2]], %{{.*}} : tensor<4x16xf32>, tensor<16x2xf32>)
// ISO:         %[[Z:.*]] = linalg.matmul ins(%[[I3]], %{{.*}} : tensor<4x16xf32>, tensor<16x2xf32>)
// ISO:         return %[[Y]], %[[Z]], %[[H]], %[[Y]], %[[Z]]
func.func @main(%x: tensor<4x8xf32> {onnx.name = "x"})
    -> (tensor<4x2xf32> {onnx.name = "y"}, tensor<4x2xf32> {onnx.name = "z"}) {
  %w1 = arith.constant dense<0.5> : tensor<8x16xf32>
  %w2 = arith.constant dense<0.25> : tensor<16x2xf32>
  %w3 = arith.constant dense<0.75> : tensor<16x2xf32>
  %z = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x16xf32>
  %a1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%a1 : tensor<4x16xf32>) -> tensor<4x16xf32> loc("fc1")
  %r = math.tanh %h : tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x2xf32>
  %a2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.matmul ins(%r, %w2 : tensor<4x16xf32>, tensor<16x2xf32>) outs(%a2 : tensor<4x2xf32>) -> tensor<4x2xf32> loc("fc2")
  %o = linalg.matmul ins(%r, %w3 : tensor<4x16xf32>, tensor<16x2xf32>) outs(%a2 : tensor<4x2xf32>) -> tensor<4x2xf32> loc("fc3")
  return %y, %o : tensor<4x2xf32>, tensor<4x2xf32>
}

// -----

// A matmul whose weight is an argument is not a layer lowbit quantizes; a
// matmul in another function is left alone with a warning (checked below).

// TAP-LABEL: func.func @main(
// TAP-SAME:      -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>)
// TAP-SAME:      lowbit.layers = [{{{.*}} name = "kept", {{.*}} position = 1 : i64
// TAP-NOT:       name =
func.func @helper(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %r = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("other")
  return %r : tensor<2x2xf32>
}
func.func @main(%x: tensor<2x2xf32>, %v: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %v : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("dynamic")
  %b = linalg.matmul ins(%a, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("kept")
  return %b : tensor<2x2xf32>
}

// -----

// Repeated names get a suffix that cannot collide with another layer's own
// name.

// TAP-LABEL: func.func @main(
// TAP-SAME:      name = "fc",
// TAP-SAME:      name = "fc#2",
// TAP-SAME:      name = "fc#2#2",
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %a = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  %b = linalg.matmul ins(%a, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  %c = linalg.matmul ins(%b, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%x : tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc#2")
  return %c : tensor<2x2xf32>
}
