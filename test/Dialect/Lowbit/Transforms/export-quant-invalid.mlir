// lowbit-export-quant reports, at the op, what !quant.uniform cannot hold.
// RUN: lowbit-opt %s --split-input-file --lowbit-export-quant --verify-diagnostics

// NF4 codes index a table of levels, not a uniform grid.
func.func @nf4(%c: tensor<2x32xi4>) -> tensor<2x32xf32> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.dequantize: format nf4 has no !quant.uniform form (upstream storage types are integers on a uniform grid)}}
  %y = lowbit.dequantize %c as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<1.0> : tensor<2x1xf32>) : tensor<2x32xi4> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @fp8(%x: tensor<4xf32>) -> tensor<4xf8E4M3FN> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.quantize: format f8E4M3FN has no !quant.uniform form}}
  %c = lowbit.quantize %x as #lowbit.scheme<f8E4M3FN> scales(1.0 : f32) : tensor<4xf32> -> tensor<4xf8E4M3FN>
  return %c : tensor<4xf8E4M3FN>
}

// -----

func.func @fp4_dequant_matmul(%x: tensor<2x32xf32>, %w: tensor<4x32xf4E2M1FN>) -> tensor<2x4xf32> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.dequant_matmul: format f4E2M1FN has no !quant.uniform form}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f4E2M1FN, group = 32, axis = 1> scales(dense<1.0> : tensor<4x1xf32>) : tensor<2x32xf32>, tensor<4x32xf4E2M1FN> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Dynamic activation scales exist only at run time; a type cannot hold them.
func.func @dynamic_scales(%x: tensor<4x16xf32>, %s: tensor<4xf32>) -> tensor<4x16xi8> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.quantize: its scales are computed at run time (operands); !quant.uniform types hold compile-time scales only}}
  %c = lowbit.quantize %x as #lowbit.scheme<i8, axis = 0> scales(%s : tensor<4xf32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %c : tensor<4x16xi8>
}

// -----

// Sub-channel scales are elements of the expressed type (f16 here); 0.1 in
// f32 is not an f16 value.
func.func @group_scale_not_in_expressed_type(%c: tensor<2x4xi8>) -> tensor<2x4xf16> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.dequantize: scale 1.000000e-01 is not exactly representable in 'f16', the element type of a sub-channel type's scales; use scales of type 'f16' or an f32 real type}}
  %y = lowbit.dequantize %c as #lowbit.scheme<i8, group = 2, axis = 1> scales(dense<[[0.1, 1.0], [1.0, 1.0]]> : tensor<2x2xf32>) : tensor<2x4xi8> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

// -----

// A blob that was never loaded cannot be read.
func.func @missing_blob(%c: tensor<2x3xi8>) -> tensor<2x3xf32> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.dequantize: cannot read the scales: resource 'absent' holds 0 bytes, expected 8 for 2 elements (is its blob missing?)}}
  %y = lowbit.dequantize %c as #lowbit.scheme<i8, axis = 0> scales(dense_resource<absent> : tensor<2xf32>) : tensor<2x3xi8> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Upstream bounds scales by the expressed type's range (f16 here); its
// verifier's message is reported at the op.
func.func @scale_outside_expressed_range(%c: tensor<4xi8>) -> tensor<4xf16> {
  // expected-error @+1 {{lowbit-export-quant: cannot export lowbit.dequantize: scale out of expressed type range [5.960464e-08, 6.550400e+04]}}
  %y = lowbit.dequantize %c as #lowbit.scheme<i8> scales(1.0e-30 : f32) : tensor<4xi8> -> tensor<4xf16>
  return %y : tensor<4xf16>
}

// -----

// Every failing op is reported, not only the first.
func.func @reports_every_op(%c: tensor<2x32xi4>, %x: tensor<4xf32>) -> (tensor<2x32xf32>, tensor<4xf8E5M2>) {
  // expected-error @+1 {{format nf4 has no !quant.uniform form}}
  %y = lowbit.dequantize %c as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<1.0> : tensor<2x1xf32>) : tensor<2x32xi4> -> tensor<2x32xf32>
  // expected-error @+1 {{format f8E5M2 has no !quant.uniform form}}
  %z = lowbit.quantize %x as #lowbit.scheme<f8E5M2> scales(1.0 : f32) : tensor<4xf32> -> tensor<4xf8E5M2>
  return %y, %z : tensor<2x32xf32>, tensor<4xf8E5M2>
}
