// lowbit-fuse-dequant-matmul leaves alone what is not exactly a
// dequantization feeding a matmul's weight, or what lowbit's ops cannot
// express. Each case says why the rewrite must not fire; none is an error.
// RUN: lowbit-opt %s --split-input-file --lowbit-fuse-dequant-matmul | FileCheck %s

// (x - z) * s + 1 is not a dequantization: fusing would drop the + 1.
// CHECK-LABEL: func.func @extra_add(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.generic
// CHECK: linalg.matmul
func.func @extra_add(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 3.0 : f32
  %s = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %c = arith.subf %f, %z : f32
    %m = arith.mulf %c, %s : f32
    %r = arith.addf %m, %one : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The scale is a function argument: lowbit.dequant_matmul needs compile-time
// weight scales.
// CHECK-LABEL: func.func @non_constant_scale(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @non_constant_scale(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>, %s: tensor<2xf32>) -> tensor<1x2xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<2x4xi8>, tensor<2xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %si: f32, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The weight is [K, N] and the scale is read through (k, n) -> (k): one
// scale per input channel K, which no weight scheme of lowbit's matmuls
// expresses (per-axis scales run along N).
// CHECK-LABEL: func.func @scale_along_k(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @scale_along_k(%x: tensor<1x4xf32>, %q: tensor<4x2xi8>) -> tensor<1x2xf32> {
  %s = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<4x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k)>, affine_map<(k, n) -> (k, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<4x2xi8>, tensor<4xf32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%qi: i8, %si: f32, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A scale per element ([N, K] read through the identity) is neither per
// tensor nor per channel, the only granularities recognised in a generic
// (group-wise scales need a reshaped code tensor); a scale array as large as
// the weight is no compression either.
// CHECK-LABEL: func.func @scale_per_element(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @scale_per_element(%x: tensor<1x2xf32>, %q: tensor<2x2xi8>) -> tensor<1x2xf32> {
  %s = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<2x2xi8>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%qi: i8, %si: f32, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Group-wise scales read through (n, k floordiv 2): the generic form is
// recognised per tensor and per channel only (groups are expressed with
// lowbit.dequantize), so this stays as it is.
// CHECK-LABEL: func.func @generic_groups(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @generic_groups(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %s = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k floordiv 2)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<2x4xi8>, tensor<2x2xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %si: f32, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %si : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The dequantized value is the LEFT operand (W · x): lowbit's weight is the
// right operand, so rewriting would compute the wrong product.
// CHECK-LABEL: func.func @dequantize_feeds_lhs(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: lowbit.dequantize
// CHECK: linalg.matmul
func.func @dequantize_feeds_lhs(%q: tensor<3x4xi8>, %x: tensor<4x2xf32>, %acc: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<3x4xi8> -> tensor<3x4xf32>
  %y = linalg.matmul ins(%w, %x : tensor<3x4xf32>, tensor<4x2xf32>) outs(%acc : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// The weight is dequantized to f16 but the matmul computes in f32 (it
// converts inside the body): lowbit.dequant_matmul has one element type, and
// the f16 rounding of the dequantized weight would be lost.
// CHECK-LABEL: func.func @element_type_mismatch(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @element_type_mismatch(%x: tensor<2x4xf32>, %q: tensor<4x3xi8>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, scale = f16> scales(0.5 : f16) : tensor<4x3xi8> -> tensor<4x3xf16>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf16>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A zero-point of 0.5 is not an integer: no scheme stores it.
// CHECK-LABEL: func.func @fractional_zero_point(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @fractional_zero_point(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 0.5 : f32
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %c = arith.subf %f, %z : f32
    %r = arith.mulf %c, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A zero-point of 300 lies outside the u8 code range [0, 255].
// CHECK-LABEL: func.func @zero_point_out_of_range(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @zero_point_out_of_range(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 300.0 : f32
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.uitofp %qi : i8 to f32
    %c = arith.subf %f, %z : f32
    %r = arith.mulf %c, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// (z - ext(q)) * s is minus a dequantization.
// CHECK-LABEL: func.func @zero_point_minus_codes(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @zero_point_minus_codes(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 3.0 : f32
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %c = arith.subf %z, %f : f32
    %r = arith.mulf %c, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// uitofp(extsi(q)) reads a sign-extended -1 as 4294967295: neither i8 nor u8.
// CHECK-LABEL: func.func @uitofp_of_sign_extended(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @uitofp_of_sign_extended(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %i = arith.extsi %qi : i8 to i32
    %f = arith.uitofp %i : i32 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// subi on the i8 codes themselves wraps (q = -128, z = 1 gives 127).
// CHECK-LABEL: func.func @zero_point_subtracted_without_widening(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @zero_point_subtracted_without_widening(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %z = arith.constant 1 : i8
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %d = arith.subi %qi, %z : i8
    %f = arith.sitofp %d : i8 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A negative scale: lowbit's scales are positive.
// CHECK-LABEL: func.func @negative_scale(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @negative_scale(%x: tensor<1x4xf32>, %q: tensor<2x4xi8>) -> tensor<1x2xf32> {
  %s = arith.constant -2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<2x4xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The generic also transposes (codes read through (n, k) -> (k, n)): the
// codes are not laid out like the dequantized value.
// CHECK-LABEL: func.func @transposing_generic(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @transposing_generic(%x: tensor<1x4xf32>, %q: tensor<4x2xi8>) -> tensor<1x2xf32> {
  %s = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (k, n)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<4x2xi8>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%qi: i8, %o: f32):
    %f = arith.sitofp %qi : i8 to f32
    %r = arith.mulf %f, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<1x4xf32>, tensor<2x4xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// lowbit.dequantize with per-axis scales along K (axis 0 of the [K, N]
// weight): one scale per input channel, not expressible.
// CHECK-LABEL: func.func @dequantize_axis_along_k(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @dequantize_axis_along_k(%x: tensor<2x4xf32>, %q: tensor<4x3xi8>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 0> scales(dense<1.0> : tensor<4xf32>) : tensor<4x3xi8> -> tensor<4x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Groups along N (axis 0 of the [N, K] weight): lowbit's groups run along K.
// CHECK-LABEL: func.func @dequantize_groups_along_n(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @dequantize_groups_along_n(%x: tensor<2x4xf32>, %q: tensor<4x4xi8>, %acc: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = lowbit.dequantize %q as #lowbit.scheme<i8, group = 2, axis = 0> scales(dense<1.0> : tensor<2x4xf32>) : tensor<4x4xi8> -> tensor<4x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<4x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Weight scales known only at run time: lowbit's matmuls take compile-time
// weight parameters. Both operands are dequantized (activation x activation,
// e.g. attention scores), so no integer matmul either.
// CHECK-LABEL: func.func @dynamic_weight_scales(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK-NOT: lowbit.matmul
// CHECK: linalg.matmul
func.func @dynamic_weight_scales(%a: tensor<2x4xi8>, %sa: tensor<f32>, %q: tensor<3x4xi8>, %s: tensor<f32>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %x = lowbit.dequantize %a as #lowbit.scheme<i8> scales(%sa : tensor<f32>) : tensor<2x4xi8> -> tensor<2x4xf32>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(%s : tensor<f32>) : tensor<3x4xi8> -> tensor<3x4xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A dense_resource code blob of the wrong size (here: absent from the file)
// cannot be transposed at compile time; the IR is kept as it is.
// CHECK-LABEL: func.func @missing_blob(
// CHECK-NOT: lowbit.dequant_matmul
// CHECK: linalg.matmul
func.func @missing_blob(%x: tensor<2x4xf32>, %acc: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = arith.constant dense_resource<absent> : tensor<4x3xi8>
  %w = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x3xi8> -> tensor<4x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// The pass rewrites matmuls only: it folds nothing else and does not hoist
// or merge constants (here the foldable addi and the constant in the body
// stay where they are).
// CHECK-LABEL: func.func @unrelated_ir(
// CHECK: %[[C1:.*]] = arith.constant 1 : i32
// CHECK: %[[C2:.*]] = arith.constant 2 : i32
// CHECK: %[[SUM:.*]] = arith.addi %[[C1]], %[[C2]] : i32
// CHECK: linalg.generic
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: return %[[SUM]]
func.func @unrelated_ir(%x: tensor<4xf32>) -> (i32, tensor<4xf32>) {
  %c1 = arith.constant 1 : i32
  %c2 = arith.constant 2 : i32
  %sum = arith.addi %c1, %c2 : i32
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%x : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c3 = arith.constant 3.0 : f32
    %r = arith.mulf %a, %c3 : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %sum, %y : i32, tensor<4xf32>
}
