// The integer and FP8 lowbit.matmul kernels of lowbit-gpu-quant-matmul, with
// arguments as codes (FP8 activations are not quantized at run time by the
// lowerings yet), the input of quant-mma-ptx.mlir. Shapes are tile multiples.

func.func @w8a8_per_row(%a: tensor<32x256xi8>, %sa: tensor<32xf32>, %w: tensor<64x256xi8>, %bias: tensor<64xf16>) -> tensor<32x64xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<32xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<64xf32>)) bias(%bias : tensor<64xf16>) : tensor<32x256xi8>, tensor<64x256xi8> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}

func.func @u8_affine_col_sums(%a: tensor<16x64xi8>, %sa: tensor<16xf32>, %za: tensor<16xi32>, %w: tensor<32x64xi8>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<16xf32>) zero_points(%za : tensor<16xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<32xf32>)) col_sums(dense<3> : tensor<32xi32>) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

func.func @u8_weights_grouped(%a: tensor<16x128xi8>, %sa: tensor<16xf32>, %w: tensor<32x128xi8>) -> tensor<16x32xbf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<16xf32>)) rhs(as #lowbit.scheme<u8, group = 64, axis = 1, affine> scales(dense<0.5> : tensor<32x2xf32>) zero_points(dense<100> : tensor<32x2xi32>)) : tensor<16x128xi8>, tensor<32x128xi8> -> tensor<16x32xbf16>
  return %y : tensor<16x32xbf16>
}

func.func @fp8_e4m3(%a: tensor<32x64xf8E4M3FN>, %sa: tensor<32xf32>, %w: tensor<32x64xf8E4M3FN>) -> tensor<32x32xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(%sa : tensor<32xf32>)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<32xf32>)) : tensor<32x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<32x32xf16>
  return %y : tensor<32x32xf16>
}

func.func @fp8_mixed(%a: tensor<16x32xf8E4M3FN>, %w: tensor<32x32xf8E5M2>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32)) rhs(as #lowbit.scheme<f8E5M2> scales(0.5 : f32)) : tensor<16x32xf8E4M3FN>, tensor<32x32xf8E5M2> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

func.func @requantize_u8(%a: tensor<16x64xi8>, %w: tensor<32x64xi8>, %bias: tensor<32xf32>) -> tensor<16x32xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) bias(%bias : tensor<32xf32>) requantize(as #lowbit.scheme<u8, affine> scales(0.125 : f32) zero_points(128 : i32)) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xi8>
  return %y : tensor<16x32xi8>
}
