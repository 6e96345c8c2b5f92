// One id must gather one set of statistics: the runtime keeps one observer
// per id.
// RUN: lowbit-opt %s --lowbit-lower-to-linalg=calibrate=true --verify-diagnostics
func.func @f(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.observe %a id "a" stats [min_max] : tensor<2x3xf32>
  // expected-error @+1 {{shares id 'a' with an observer gathering}}
  %1 = lowbit.observe %0 id "a" stats [histogram] : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
