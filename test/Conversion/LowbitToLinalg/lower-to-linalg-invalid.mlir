// What the CPU lowering cannot do yet is reported at the op.
// RUN: lowbit-opt %s --split-input-file --lowbit-lower-to-linalg --verify-diagnostics

func.func @quantize_to_nf4(%x: tensor<4x64xf32>) -> tensor<4x64xi4> {
  // expected-error @+1 {{lowbit-lower-to-linalg: quantizing to nf4 at run time is not supported on the CPU yet (integer formats are; weights in any format are quantized at compile time)}}
  %q = lowbit.quantize %x as #lowbit.scheme<nf4, group = 64, axis = 1> scales(dense<1.0> : tensor<4x1xf32>) : tensor<4x64xf32> -> tensor<4x64xi4>
  return %q : tensor<4x64xi4>
}
