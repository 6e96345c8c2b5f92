// Not valid IR: %undefined is never defined.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %undefined : tensor<4xf32>
}
