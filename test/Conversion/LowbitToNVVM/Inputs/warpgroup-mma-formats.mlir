// Integer and FP8 lowbit.matmuls whose M, N, K are multiples of 128, the
// input of warpgroup-mma-ptx.mlir (the TMA + wgmma kernel on sm_90a).
// Arguments are codes (FP8 activations are not quantized at run time by
// the lowerings yet).

func.func @w8a8_per_row(%a: tensor<256x512xi8>, %sa: tensor<256xf32>, %w: tensor<384x512xi8>, %bias: tensor<384xf16>) -> tensor<256x384xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<256xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<384xf32>)) bias(%bias : tensor<384xf16>) : tensor<256x512xi8>, tensor<384x512xi8> -> tensor<256x384xf16>
  return %y : tensor<256x384xf16>
}

func.func @u8_affine_requantize(%a: tensor<128x256xi8>, %sa: tensor<128xf32>, %za: tensor<128xi32>, %w: tensor<128x256xi8>) -> tensor<128x128xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<128xf32>) zero_points(%za : tensor<128xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<128xf32>)) col_sums(dense<3> : tensor<128xi32>) requantize(as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(3 : i32)) : tensor<128x256xi8>, tensor<128x256xi8> -> tensor<128x128xi8>
  return %y : tensor<128x128xi8>
}

func.func @fp8_e4m3(%a: tensor<1024x1024xf8E4M3FN>, %w: tensor<1024x1024xf8E4M3FN>) -> tensor<1024x1024xbf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<1024xf32>)) : tensor<1024x1024xf8E4M3FN>, tensor<1024x1024xf8E4M3FN> -> tensor<1024x1024xbf16>
  return %y : tensor<1024x1024xbf16>
}

func.func @fp8_mixed(%a: tensor<128x256xf8E4M3FN>, %w: tensor<256x256xf8E5M2>) -> tensor<128x256xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32)) rhs(as #lowbit.scheme<f8E5M2> scales(0.5 : f32)) : tensor<128x256xf8E4M3FN>, tensor<256x256xf8E5M2> -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}
