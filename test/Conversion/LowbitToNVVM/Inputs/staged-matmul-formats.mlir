// Integer and FP8 lowbit.matmuls whose M, N, K are multiples of 64 but not
// all of 128: the staged mma.sync kernel of lowbit-gpu-staged-matmul on
// both chips (the input of staged-matmul-ptx.mlir). Arguments are codes.

func.func @w8a8_per_row(%a: tensor<64x128xi8>, %sa: tensor<64xf32>, %w: tensor<128x128xi8>, %bias: tensor<128xf16>) -> tensor<64x128xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<64xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<128xf32>)) bias(%bias : tensor<128xf16>) : tensor<64x128xi8>, tensor<128x128xi8> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}

func.func @u8_affine_requantize(%a: tensor<128x192xi8>, %sa: tensor<128xf32>, %za: tensor<128xi32>, %w: tensor<64x192xi8>) -> tensor<128x64xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<128xf32>) zero_points(%za : tensor<128xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<64xf32>)) col_sums(dense<3> : tensor<64xi32>) requantize(as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(3 : i32)) : tensor<128x192xi8>, tensor<64x192xi8> -> tensor<128x64xi8>
  return %y : tensor<128x64xi8>
}

func.func @fp8_e4m3(%a: tensor<64x128xf8E4M3FN>, %w: tensor<64x128xf8E4M3FN>) -> tensor<64x64xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<64xf32>)) : tensor<64x128xf8E4M3FN>, tensor<64x128xf8E4M3FN> -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}
