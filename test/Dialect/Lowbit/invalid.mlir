// Every verifier rule of the lowbit dialect, one case each.
// RUN: lowbit-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// #lowbit.scheme
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown storage format 'i7'; expected one of i8, u8, i4, u4, nf4, f4E2M1FN, f8E4M3FN, f8E5M2}}
func.func private @unknown_format() attributes {s = #lowbit.scheme<i7>}

// -----

// expected-error @+1 {{unknown scheme parameter 'per_channel'; expected 'axis', 'group', 'affine', 'symmetric' or 'scale'}}
func.func private @unknown_parameter() attributes {s = #lowbit.scheme<i8, per_channel>}

// -----

// expected-error @+1 {{'axis' given twice}}
func.func private @duplicate_parameter() attributes {s = #lowbit.scheme<i8, axis = 0, axis = 1>}

// -----

// expected-error @+1 {{a group-wise scheme needs the axis the groups run along ('axis = A')}}
func.func private @group_without_axis() attributes {s = #lowbit.scheme<i4, group = 32>}

// -----

// expected-error @+1 {{group size must be positive, got 0}}
func.func private @zero_group() attributes {s = #lowbit.scheme<i4, group = 0, axis = 1>}

// -----

// expected-error @+1 {{axis must be non-negative, got -1}}
func.func private @negative_axis() attributes {s = #lowbit.scheme<i8, axis = -1>}

// -----

// expected-error @+1 {{scale type must be f32, f16 or bf16, got 'f64'}}
func.func private @f64_scales() attributes {s = #lowbit.scheme<i8, scale = f64>}

// -----

// expected-error @+1 {{format nf4 is symmetric only; 'affine' needs an integer format (i8, u8, i4, u4)}}
func.func private @affine_nf4() attributes {s = #lowbit.scheme<nf4, group = 64, axis = 1, affine>}

// -----

//===----------------------------------------------------------------------===//
// lowbit.quantize / lowbit.dequantize
//===----------------------------------------------------------------------===//

func.func @shape_mismatch(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{input shape 'tensor<4x16xf32>' and result shape 'tensor<4x8xi8>' differ}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @storage_type_mismatch(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{codes have element type 'i8', but format i4 is stored as 'i4'}}
  %q = lowbit.quantize %x as #lowbit.scheme<i4> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @fp8_storage_type_mismatch(%q: tensor<4x16xf8E5M2>) {
  // expected-error @+1 {{codes have element type 'f8E5M2', but format f8E4M3FN is stored as 'f8E4M3FN'}}
  %x = lowbit.dequantize %q as #lowbit.scheme<f8E4M3FN> scales(0.5 : f32) : tensor<4x16xf8E5M2> -> tensor<4x16xf32>
  return
}

// -----

func.func @axis_out_of_range(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{scheme axis 2 is out of range for a tensor of rank 2}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8, axis = 2> scales(dense<0.5> : tensor<4xf32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @group_does_not_divide(%q: tensor<4x96xi4>) {
  // expected-error @+1 {{group size 64 does not divide dimension 1 of size 96}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 64, axis = 1> scales(dense<0.5> : tensor<4x1xf32>) : tensor<4x96xi4> -> tensor<4x96xf32>
  return
}

// -----

func.func @both_scale_sources(%x: tensor<4x16xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{scales given both as an attribute and as an operand; give exactly one}}
  %q = "lowbit.quantize"(%x, %s) <{scheme = #lowbit.scheme<i8>, scales = 0.5 : f32, operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<4x16xf32>, tensor<f32>) -> tensor<4x16xi8>
  return
}

// -----

func.func @missing_scales(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{scales are missing}}
  %q = "lowbit.quantize"(%x) <{scheme = #lowbit.scheme<i8>, operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<4x16xf32>) -> tensor<4x16xi8>
  return
}

// -----

func.func @scalar_scale_per_axis(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{scales given as a scalar, but the per-axis scheme needs a tensor of shape [4]}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8, axis = 0> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @scalar_scale_type(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{scale has type 'f16', but the scheme's scale type is 'f32'}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f16) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @scale_element_type(%q: tensor<4x64xi4>) {
  // expected-error @+1 {{scales have element type 'f32', but the scheme's scale type is 'f16'}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<4x2xf32>) : tensor<4x64xi4> -> tensor<4x64xf32>
  return
}

// -----

func.func @group_scale_shape(%q: tensor<4x64xi4>) {
  // expected-error @+1 {{scales have shape [4, 4], but the group-wise scheme needs [4, 2]}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x4xf32>) : tensor<4x64xi4> -> tensor<4x64xf32>
  return
}

// -----

func.func @non_positive_scale(%q: tensor<2x8xi8>) {
  // expected-error @+1 {{scales must be positive and finite, found 0}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 0> scales(dense<[1.0, 0.0]> : tensor<2xf32>) : tensor<2x8xi8> -> tensor<2x8xf32>
  return
}

// -----

func.func @non_finite_scale(%q: tensor<2x8xi8>) {
  // expected-error @+1 {{scales must be positive and finite, found INF}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0x7F800000 : f32) : tensor<2x8xi8> -> tensor<2x8xf32>
  return
}

// -----

func.func @scales_not_numbers(%q: tensor<2x8xi8>) {
  // expected-error @+1 {{scales must be a float or an elements attribute, got "half"}}
  %x = lowbit.dequantize %q as #lowbit.scheme<i8> scales("half") : tensor<2x8xi8> -> tensor<2x8xf32>
  return
}

// -----

func.func @zero_points_symmetric(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{zero points given, but the scheme is symmetric (zero point 0); mark the scheme 'affine' or drop them}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f32) zero_points(3 : i32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @zero_points_missing(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{the scheme is affine, but zero points are missing}}
  %q = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @zero_point_range(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{zero point 16 is outside the code range [0, 15] of u4}}
  %q = lowbit.quantize %x as #lowbit.scheme<u4, affine> scales(0.5 : f32) zero_points(16 : i32) : tensor<4x16xf32> -> tensor<4x16xi4>
  return
}

// -----

func.func @zero_point_shape(%q: tensor<4x64xi4>) {
  // expected-error @+1 {{zero points have shape [4], but the group-wise scheme needs [4, 2]}}
  %x = lowbit.dequantize %q as #lowbit.scheme<u4, group = 32, axis = 1, affine> scales(dense<0.5> : tensor<4x2xf32>) zero_points(dense<8> : tensor<4xi32>) : tensor<4x64xi4> -> tensor<4x64xf32>
  return
}

// -----

func.func @zero_points_narrow_type(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{zero point must be an i32, got 'i8'}}
  %q = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(3 : i8) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @zero_points_narrow_elements(%q: tensor<4x8xi8>) {
  // expected-error @+1 {{zero points must be i32, got element type 'i8'}}
  %x = lowbit.dequantize %q as #lowbit.scheme<u8, axis = 0, affine> scales(dense<0.5> : tensor<4xf32>) zero_points(dense<1> : tensor<4xi8>) : tensor<4x8xi8> -> tensor<4x8xf32>
  return
}

// -----

func.func @zero_points_not_integers(%q: tensor<4x8xi8>) {
  // expected-error @+1 {{zero points must be an integer or integer elements attribute, got dense<1.000000e+00> : tensor<4xf32>}}
  %x = lowbit.dequantize %q as #lowbit.scheme<u8, axis = 0, affine> scales(dense<0.5> : tensor<4xf32>) zero_points(dense<1.0> : tensor<4xf32>) : tensor<4x8xi8> -> tensor<4x8xf32>
  return
}

// -----

func.func @mixed_sources(%x: tensor<4x16xf32>, %z: tensor<4xi32>) {
  // expected-error @+1 {{zero points must be given the same way as the scales (both attributes or both operands)}}
  %q = lowbit.quantize %x as #lowbit.scheme<u8, axis = 0, affine> scales(dense<0.5> : tensor<4xf32>) zero_points(%z : tensor<4xi32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @dynamic_scale_type(%x: tensor<4x16xf32>, %s: tensor<4xf16>) {
  // expected-error @+1 {{scale operand has element type 'f16', but the scheme's scale type is 'f32'}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8, axis = 0> scales(%s : tensor<4xf16>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @dynamic_scale_shape(%x: tensor<4x16xf32>, %s: tensor<16xf32>) {
  // expected-error @+1 {{scale operand has shape [16], but the per-axis scheme needs [4]}}
  %q = lowbit.quantize %x as #lowbit.scheme<i8, axis = 0> scales(%s : tensor<16xf32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

func.func @dynamic_zero_point_shape(%x: tensor<4x16xf32>, %s: tensor<4xf32>, %z: tensor<2xi32>) {
  // expected-error @+1 {{zero point operand has shape [2], but the per-axis scheme needs [4]}}
  %q = lowbit.quantize %x as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<4xf32>) zero_points(%z : tensor<2xi32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.observe
//===----------------------------------------------------------------------===//

func.func @observe_empty_id(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{needs a non-empty id}}
  %y = lowbit.observe %x id "" stats [min_max] : tensor<4x16xf32>
  return
}

// -----

func.func @observe_no_stats(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{gathers no statistic; list at least one}}
  %y = lowbit.observe %x id "a" stats [] : tensor<4x16xf32>
  return
}

// -----

func.func @observe_unknown_stat(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{unknown statistic 'median'; expected min_max, moving_average_min_max, histogram, channel_abs_max or gram}}
  %y = lowbit.observe %x id "a" stats [median] : tensor<4x16xf32>
  return
}

// -----

func.func @observe_unknown_stat_generic(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{unknown statistic "median"; expected min_max, moving_average_min_max, histogram, channel_abs_max or gram}}
  %y = "lowbit.observe"(%x) {id = "a", stats = ["median"]} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @observe_duplicate_stat(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{statistic 'min_max' listed twice}}
  %y = lowbit.observe %x id "a" stats [min_max, histogram, min_max] : tensor<4x16xf32>
  return
}

// -----

func.func @observe_bins_without_histogram(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'bins' given without the histogram statistic}}
  %y = lowbit.observe %x id "a" stats [min_max] {bins = 64 : i64} : tensor<4x16xf32>
  return
}

// -----

func.func @observe_bins_range(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{bins must be in [2, 1048576], got 1}}
  %y = lowbit.observe %x id "a" stats [histogram] {bins = 1 : i64} : tensor<4x16xf32>
  return
}

// -----

func.func @observe_axis_without_channel_stat(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{'channel_axis' given without channel_abs_max or gram}}
  %y = lowbit.observe %x id "a" stats [min_max] {channel_axis = 1 : i64} : tensor<4x16xf32>
  return
}

// -----

func.func @observe_axis_range(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{channel_axis 2 is out of range for an input of rank 2}}
  %y = lowbit.observe %x id "a" stats [gram] {channel_axis = 2 : i64} : tensor<4x16xf32>
  return
}

// -----

func.func @observe_scalar_channel_stat(%x: tensor<f32>) {
  // expected-error @+1 {{per-channel statistics need an input of rank 1 or more}}
  %y = lowbit.observe %x id "a" stats [channel_abs_max] : tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_rank(%a: tensor<64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{lhs must have rank 2 or more ([..., M, K]), got rank 1}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<64xi8>, tensor<32x64xi8> -> tensor<32xf32>
  return
}

// -----

func.func @matmul_rhs_rank(%a: tensor<4x64xi8>, %w: tensor<1x1x32x64xi8>) {
  // expected-error @+1 {{rhs must be [N, K] or [B, N, K], got rank 4}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<1x1x32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_batched_rhs(%a: tensor<4x64xi8>, %w: tensor<2x32x64xi8>) {
  // expected-error @+1 {{a batched rhs [B, N, K] needs a lhs of rank 3 [B, M, K], got rank 2}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<2x32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_k_mismatch(%a: tensor<4x64xi8>, %w: tensor<32x48xi8>) {
  // expected-error @+1 {{reduction size mismatch: lhs has K = 64, rhs has K = 48}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x48xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<3x4x64xi8>, %w: tensor<2x32x64xi8>) {
  // expected-error @+1 {{batch size mismatch: lhs has 3, rhs has 2}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<3x4x64xi8>, tensor<2x32x64xi8> -> tensor<3x4x32xf32>
  return
}

// -----

func.func @matmul_result_shape(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{result shape must be lhs's leading dimensions followed by N: expected 'tensor<4x32xf32>', got 'tensor<4x64xf32>'}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x64xf32>
  return
}

// -----

func.func @matmul_nf4(%a: tensor<4x64xi8>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{rhs format nf4 has no exact product arithmetic; use lowbit.dequant_matmul for it}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<nf4> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_mixed_families(%a: tensor<4x64xi8>, %w: tensor<32x64xf8E4M3FN>) {
  // expected-error @+1 {{lhs format i8 and rhs format f8E4M3FN must both be integer or both FP8}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<f8E4M3FN> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xf8E4M3FN> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_lhs_per_k(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{lhs scales must be per tensor or per row (axis = 0, the M dimension); scales that vary along K cannot be factored out of the accumulation}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 1> scales(dense<1.0> : tensor<64xf32>)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_rhs_axis(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{rhs per-axis scales must be per output channel (axis = 0, the N dimension), got axis = 1}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8, axis = 1> scales(dense<1.0> : tensor<64xf32>)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_rhs_group_axis(%a: tensor<4x64xi8>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{rhs groups must run along the reduction dimension (axis = 1, K), got axis = 0}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i4, group = 16, axis = 0> scales(dense<1.0> : tensor<2x64xf32>)) : tensor<4x64xi8>, tensor<32x64xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_accumulator_overflow(%a: tensor<4x70000xi8>, %w: tensor<32x70000xi8>) {
  // u8 affine activations (differences up to 255) times i8 weights (up to
  // 128): 70000 products can exceed 2^31 - 1.
  // expected-error @+1 {{sums of 70000 products of codes up to 255 x 128 can overflow the i32 accumulator; the longest safe block of K is 65793 (use group-wise weights)}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, affine> scales(1.0 : f32) zero_points(128 : i32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x70000xi8>, tensor<32x70000xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_col_sums_fp8(%a: tensor<4x64xf8E4M3FN>, %w: tensor<32x64xf8E4M3FN>) {
  // expected-error @+1 {{col_sums only apply to integer weights}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(1.0 : f32)) rhs(as #lowbit.scheme<f8E4M3FN> scales(1.0 : f32)) col_sums(dense<0> : tensor<32xi32>) : tensor<4x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_col_sums_shape(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{col_sums must be i32 with one sum per weight scale block, 'tensor<32xi32>', got 'tensor<64xi32>'}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) col_sums(dense<0> : tensor<64xi32>) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_real_result_requantized(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{a real result ('f32') takes no requantize(...) epilogue; use an integer result type to requantize}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) requantize(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_integer_result_without_requantize(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{an integer result ('i8') needs a requantize(...) epilogue}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xi8>
  return
}

// -----

func.func @matmul_result_group(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{result scales must be per tensor or per output channel (axis = 1)}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) requantize(as #lowbit.scheme<i8, group = 16, axis = 1> scales(dense<1.0> : tensor<4x2xf32>)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xi8>
  return
}

// -----

func.func @matmul_result_storage(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{result codes have element type 'i8', but format i4 is stored as 'i4'}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) requantize(as #lowbit.scheme<i4> scales(1.0 : f32)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xi8>
  return
}

// -----

func.func @matmul_rhs_scales(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{rhs scales have shape [64], but the per-axis scheme needs [32]}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<1.0> : tensor<64xf32>)) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_bias_shape(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>, %b: tensor<64xf32>) {
  // expected-error @+1 {{bias must have shape [32], got 'tensor<64xf32>'}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) bias(%b : tensor<64xf32>) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @matmul_bias_type(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>, %b: tensor<32xf16>) {
  // expected-error @+1 {{bias element type must be 'f32', got 'f16'}}
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(1.0 : f32)) rhs(as #lowbit.scheme<i8> scales(1.0 : f32)) bias(%b : tensor<32xf16>) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.dequant_matmul
//===----------------------------------------------------------------------===//

func.func @dequant_matmul_result_type(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{result element type 'f16' must match the input's 'f32'}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4> scales(1.0 : f32) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf16>
  return
}

// -----

func.func @dequant_matmul_group_does_not_divide_k(%x: tensor<4x96xf32>, %w: tensor<32x96xi4>) {
  // expected-error @+1 {{weight group size 64 does not divide dimension 1 of size 96}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 64, axis = 1> scales(dense<1.0> : tensor<32x1xf32>) : tensor<4x96xf32>, tensor<32x96xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @dequant_matmul_weight_storage(%x: tensor<4x64xf32>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{weight codes have element type 'i8', but format nf4 is stored as 'i4'}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<1.0> : tensor<32x2xf32>) : tensor<4x64xf32>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @dequant_matmul_k_mismatch(%x: tensor<4x64xf32>, %w: tensor<32x32xi8>) {
  // expected-error @+1 {{reduction size mismatch: input has K = 64, weight has K = 32}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8> scales(1.0 : f32) : tensor<4x64xf32>, tensor<32x32xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @dequant_matmul_weight_axis(%x: tensor<4x64xf32>, %w: tensor<32x64xi8>) {
  // expected-error @+1 {{weight per-axis scales must be per output channel (axis = 0, the N dimension), got axis = 1}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 1> scales(dense<1.0> : tensor<64xf32>) : tensor<4x64xf32>, tensor<32x64xi8> -> tensor<4x32xf32>
  return
}

// -----

func.func @dequant_matmul_bias(%x: tensor<4x64xf16>, %w: tensor<32x64xi8>, %b: tensor<32xf32>) {
  // expected-error @+1 {{bias element type must be 'f16', got 'f32'}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8> scales(1.0 : f32) bias(%b : tensor<32xf32>) : tensor<4x64xf16>, tensor<32x64xi8> -> tensor<4x32xf16>
  return
}

// -----

func.func @double_quant_blocks(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) {
  // 32 x 2 = 64 scales: one block of 256.
  // expected-error @+1 {{scale_quant blocks must be f32 of shape [1] (one per 256 of the 64 scales), got 'tensor<2xf32>'}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<1> : tensor<32x2xi8>) scale_quant(blocks = dense<0.1> : tensor<2xf32>, offset = 0.5) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @double_quant_codes_type(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{weight double-quantized scales must be i8 codes, got 'f32'}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<1.0> : tensor<32x2xf32>) scale_quant(blocks = dense<0.1> : tensor<1xf32>, offset = 0.5) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @double_quant_per_tensor(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{a per-tensor scale cannot be double-quantized}}
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4> scales(1.0 : f32) scale_quant(blocks = dense<0.1> : tensor<1xf32>, offset = 0.5) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf32>
  return
}

// -----

func.func @double_quant_half(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) {
  // expected-error @+1 {{scale_quant needs both the block scales and the offset}}
  %y = "lowbit.dequant_matmul"(%x, %w) <{scheme = #lowbit.scheme<i4, group = 32, axis = 1>, scales = dense<1> : tensor<32x2xi8>, scale_block_scales = dense<0.1> : tensor<1xf32>}> : (tensor<4x64xf32>, tensor<32x64xi4>) -> tensor<4x32xf32>
  return
}

// -----

// vpdpbusd adds four byte products to each i32 lane.
func.func @dot_u8s8_bytes(%acc: vector<16xi32>, %a: vector<32xi8>, %w: vector<32xi8>) -> vector<16xi32> {
  // expected-error @+1 {{'lowbit.dot_u8s8' op needs 4 bytes per i32 lane: 16 lanes take 64 bytes, got 32}}
  %r = lowbit.dot_u8s8 %acc, %a, %w : vector<32xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

// pmaddwd adds two i16 products to each i32 lane.
func.func @dot_i16_values(%acc: vector<8xi32>, %a: vector<8xi16>, %w: vector<8xi16>) -> vector<8xi32> {
  // expected-error @+1 {{'lowbit.dot_i16' op needs 2 i16 values per i32 lane: 8 lanes take 16 values, got 8}}
  %r = lowbit.dot_i16 %acc, %a, %w : vector<8xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @dot_i16_lanes(%acc: vector<2xi32>, %a: vector<4xi16>, %w: vector<4xi16>) -> vector<2xi32> {
  // expected-error @+1 {{'lowbit.dot_i16' op has 2 lanes; pmaddwd has 4, 8 or 16}}
  %r = lowbit.dot_i16 %acc, %a, %w : vector<4xi16> -> vector<2xi32>
  return %r : vector<2xi32>
}

// -----

// Only the 128-, 256- and 512-bit forms exist.
func.func @dot_u8s8_lanes(%acc: vector<2xi32>, %a: vector<8xi8>, %w: vector<8xi8>) -> vector<2xi32> {
  // expected-error @+1 {{'lowbit.dot_u8s8' op has 2 lanes; vpdpbusd has 4, 8 or 16}}
  %r = lowbit.dot_u8s8 %acc, %a, %w : vector<8xi8> -> vector<2xi32>
  return %r : vector<2xi32>
}

// -----

// vdpbf16ps adds two bf16 products to each f32 lane.
func.func @dot_bf16_values(%acc: vector<16xf32>, %a: vector<16xbf16>, %w: vector<16xbf16>) -> vector<16xf32> {
  // expected-error @+1 {{'lowbit.dot_bf16' op needs 2 bf16 values per f32 lane: 16 lanes take 32 values, got 16}}
  %r = lowbit.dot_bf16 %acc, %a, %w : vector<16xbf16> -> vector<16xf32>
  return %r : vector<16xf32>
}

// -----

// Only the 128-, 256- and 512-bit forms exist.
func.func @dot_bf16_lanes(%acc: vector<2xf32>, %a: vector<4xbf16>, %w: vector<4xbf16>) -> vector<2xf32> {
  // expected-error @+1 {{'lowbit.dot_bf16' op has 2 lanes; vdpbf16ps has 4, 8 or 16}}
  %r = lowbit.dot_bf16 %acc, %a, %w : vector<4xbf16> -> vector<2xf32>
  return %r : vector<2xf32>
}

//===----------------------------------------------------------------------===//
// lowbit.staged_dequant_matmul
//===----------------------------------------------------------------------===//

func.func @staged_rows(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: f32, %y: memref<32x64xf16>) {
  // expected-error @+1 {{has 64 input rows but 32 result rows}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8> scales(%s : f32) into %y : memref<64x64xf16>, memref<4096xi8>, memref<32x64xf16>
  return
}

// -----

func.func @staged_types(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: f32, %y: memref<64x64xbf16>) {
  // expected-error @+1 {{result element type 'bf16' differs from the input's 'f16'}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8> scales(%s : f32) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xbf16>
  return
}

// -----

func.func @staged_code_bytes(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: f32, %y: memref<64x64xf16>) {
  // expected-error @+1 {{expects the 64 x 64 weight codes as 2048 bytes in a flat buffer, got 'memref<4096xi8>'}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i4> scales(%s : f32) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xf16>
  return
}

// -----

func.func @staged_bias(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: f32, %b: memref<32xf16>, %y: memref<64x64xf16>) {
  // expected-error @+1 {{expects a bias of 64 values, got 'memref<32xf16>'}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8> scales(%s : f32) bias(%b : memref<32xf16>) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xf16>
  return
}

// -----

func.func @staged_zero_points(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: f32, %y: memref<64x64xf16>) {
  // expected-error @+1 {{needs zero_points with an affine scheme}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<u8, affine> scales(%s : f32) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xf16>
  return
}

//===----------------------------------------------------------------------===//
// lowbit.staged_matmul
//===----------------------------------------------------------------------===//

// -----

func.func @staged_matmul_shapes(%a: memref<128x256xi8>, %w: memref<128x128xi8>, %s: f32, %y: memref<128x128xf32>) {
  // expected-error @+1 {{expects [M, K] x [N, K] -> [M, N] buffers, got 'memref<128x256xi8>', 'memref<128x128xi8>', 'memref<128x128xf32>'}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<128x256xi8>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_codes(%a: memref<128x128xf16>, %w: memref<128x128xi8>, %s: f32, %y: memref<128x128xf32>) {
  // expected-error @+1 {{expects 8-bit codes}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<128x128xf16>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_weight_zero_points(%a: memref<128x128xi8>, %w: memref<128x128xi8>, %s: f32, %y: memref<128x128xf32>) {
  // expected-error @+1 {{expects symmetric weights (no weight zero-points)}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<u8, affine> scales(%s : f32)) : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_col_sums(%a: memref<128x128xi8>, %w: memref<128x128xi8>, %s: f32, %z: i32, %y: memref<128x128xf32>) {
  // expected-error @+1 {{needs col_sums when lhs has zero_points}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8, affine> scales(%s : f32) zero_points(%z : i32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_lhs_zero_points(%a: memref<128x128xi8>, %w: memref<128x128xi8>, %s: f32, %y: memref<128x128xf32>) {
  // expected-error @+1 {{needs lhs zero_points with an affine scheme}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8, affine> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_bias(%a: memref<128x128xi8>, %w: memref<128x128xi8>, %s: f32, %b: memref<64xf32>, %y: memref<128x128xf32>) {
  // expected-error @+1 {{expects a bias of 128 values, got 'memref<64xf32>'}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) bias(%b : memref<64xf32>) : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
  return
}

// -----

func.func @staged_matmul_group_scales(%a: memref<128x256xi8>, %w: memref<128x256xi8>, %s: f32, %sw: memref<256xf32>, %y: memref<128x128xf32>) {
  // expected-error @+1 {{expects per-tensor or per-row scales, got #lowbit.scheme<i8, group = 128, axis = 1>}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8, group = 128, axis = 1> scales(%sw : memref<256xf32>)) : memref<128x256xi8>, memref<128x256xi8>, memref<128x128xf32>
  return
}

// -----

func.func @prefetch_rank(%t: tensor<4x8xi32>, %i: index) {
  // expected-error @+1 {{'lowbit.prefetch' op needs one index per dimension of the source (2), got 1}}
  lowbit.prefetch %t[%i] : tensor<4x8xi32>
  return
}
