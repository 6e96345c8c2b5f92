// One lowbit.dequant_matmul per weight format above the GEMV's max-m
// (M = 32, f16 activations): the input of mma-ptx.mlir. The 4-bit weights
// are dense splats, which lowbit-gpu-gemv packs itself.
func.func @mma_i4(%x: tensor<32x64xf16>, %b: tensor<64xf16>) -> tensor<32x64xf16> {
  %w = arith.constant dense<3> : tensor<64x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<64x2xf16>) bias(%b : tensor<64xf16>) : tensor<32x64xf16>, tensor<64x64xi4> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}
func.func @mma_u4_affine(%x: tensor<32x64xf16>) -> tensor<32x64xf16> {
  %w = arith.constant dense<9> : tensor<64x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 64, axis = 1, affine> scales(dense<0.5> : tensor<64x1xf32>) zero_points(dense<8> : tensor<64x1xi32>) : tensor<32x64xf16>, tensor<64x64xi4> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}
func.func @mma_nf4(%x: tensor<32x64xf16>) -> tensor<32x64xf16> {
  %w = arith.constant dense<5> : tensor<64x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 64, axis = 1> scales(dense<0.5> : tensor<64x1xf32>) : tensor<32x64xf16>, tensor<64x64xi4> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}
func.func @mma_i8_arg(%x: tensor<32x64xf16>, %w: tensor<64x64xi8>) -> tensor<32x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<32x64xf16>, tensor<64x64xi8> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}
func.func @mma_e4m3_arg(%x: tensor<32x64xf16>, %w: tensor<64x64xf8E4M3FN>) -> tensor<32x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32) : tensor<32x64xf16>, tensor<64x64xf8E4M3FN> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}
