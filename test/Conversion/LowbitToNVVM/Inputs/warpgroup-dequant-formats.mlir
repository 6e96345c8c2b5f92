// One lowbit.dequant_matmul per weight format whose shape the wgmma
// variant of the staged kernel takes (f16 or bf16 activations, M % 64,
// N % 128, K % 64 == 0): the input of warpgroup-dequant-ptx.mlir. 4-bit
// formats (dense splats, packed by lowbit-gpu-gemv), i8 and E4M3 codes as
// arguments, and bf16 activations.
func.func @wg_i4(%x: tensor<64x128xf16>, %b: tensor<128xf16>) -> tensor<64x128xf16> {
  %w = arith.constant dense<3> : tensor<128x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<128x4xf16>) bias(%b : tensor<128xf16>) : tensor<64x128xf16>, tensor<128x128xi4> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}
func.func @wg_u4_affine(%x: tensor<128x256xf16>) -> tensor<128x256xf16> {
  %w = arith.constant dense<9> : tensor<256x256xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 128, axis = 1, affine> scales(dense<0.5> : tensor<256x2xf32>) zero_points(dense<8> : tensor<256x2xi32>) : tensor<128x256xf16>, tensor<256x256xi4> -> tensor<128x256xf16>
  return %y : tensor<128x256xf16>
}
func.func @wg_nf4(%x: tensor<64x128xf16>) -> tensor<64x128xf16> {
  %w = arith.constant dense<5> : tensor<128x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 64, axis = 1> scales(dense<0.5> : tensor<128x2xf32>) : tensor<64x128xf16>, tensor<128x128xi4> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}
func.func @wg_i8_arg(%x: tensor<64x128xf16>, %w: tensor<128x128xi8>) -> tensor<64x128xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<128xf32>) : tensor<64x128xf16>, tensor<128x128xi8> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}
func.func @wg_e4m3_arg(%x: tensor<64x128xf16>, %w: tensor<128x128xf8E4M3FN>) -> tensor<64x128xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32) : tensor<64x128xf16>, tensor<128x128xf8E4M3FN> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}
func.func @wg_bf16_i4(%x: tensor<64x128xbf16>) -> tensor<64x128xbf16> {
  %w = arith.constant dense<3> : tensor<128x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<128x4xf32>) : tensor<64x128xbf16>, tensor<128x128xi4> -> tensor<64x128xbf16>
  return %y : tensor<64x128xbf16>
}
