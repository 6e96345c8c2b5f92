// One lowbit.dequant_matmul per weight format and shape class that the
// GEMV kernel of lowbit-gpu-gemv handles, the input of gemv-ptx.mlir:
// i4 group-wise with f16 scales and a bias (M = 1), u4 with zero-points
// (M = 2), NF4 (M = 2), i8 per row with bf16 activations (M = 16), FP8
// E4M3 per tensor (M = 1), FP8 E5M2 per row with f32 activations (M = 1).
func.func @i4_group_m1(%x: tensor<1x64xf16>, %b: tensor<4xf16>) -> tensor<1x4xf16> {
  %w = arith.constant dense_resource<w4b> : tensor<4x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf16>) bias(%b : tensor<4xf16>) : tensor<1x64xf16>, tensor<4x64xi4> -> tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}
func.func @u4_affine(%x: tensor<2x32xf16>) -> tensor<2x4xf16> {
  %w = arith.constant dense_resource<w4> : tensor<4x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 32, axis = 1, affine> scales(dense<0.5> : tensor<4x1xf32>) zero_points(dense<[[8], [7], [8], [9]]> : tensor<4x1xi32>) : tensor<2x32xf16>, tensor<4x32xi4> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}
func.func @nf4(%x: tensor<2x32xf16>) -> tensor<2x4xf16> {
  %w = arith.constant dense_resource<w4> : tensor<4x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x1xf32>) : tensor<2x32xf16>, tensor<4x32xi4> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}
func.func @i8_channel_arg(%x: tensor<16x32xbf16>, %w: tensor<4x32xi8>) -> tensor<16x4xbf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>) : tensor<16x32xbf16>, tensor<4x32xi8> -> tensor<16x4xbf16>
  return %y : tensor<16x4xbf16>
}
func.func @e4m3_tensor_arg(%x: tensor<1x32xf16>, %w: tensor<4x32xf8E4M3FN>) -> tensor<1x4xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32) : tensor<1x32xf16>, tensor<4x32xf8E4M3FN> -> tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}
func.func @e5m2(%x: tensor<1x32xf32>, %w: tensor<4x32xf8E5M2>) -> tensor<1x4xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E5M2, axis = 0> scales(dense<1.0> : tensor<4xf32>) : tensor<1x32xf32>, tensor<4x32xf8E5M2> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
{-#
  dialect_resources: { builtin: {
    w4: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121",
    w4b: "0x040000002121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}
