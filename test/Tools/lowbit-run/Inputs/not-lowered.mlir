// gpu.thread_id means nothing on the CPU: the pipeline passes but leaves it
// behind, and lowbit-run must say so instead of failing in the translation.
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %t = gpu.thread_id x
  %i = arith.index_cast %t : index to i32
  %f = arith.sitofp %i : i32 to f32
  %s = tensor.splat %f : tensor<4xf32>
  %r = arith.addf %a, %s : tensor<4xf32>
  return %r : tensor<4xf32>
}
