// lowbit-lower-to-cpu has no lowering for TOSA, so one-shot-bufferize meets
// an op it cannot bufferize and the pipeline fails.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = tosa.abs %a : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
