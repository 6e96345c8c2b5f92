// Folds of lowbit ops under the canonicalizer.
// RUN: lowbit-opt %s --split-input-file --canonicalize | FileCheck %s

// quantize(dequantize(q)) with the same scheme and parameters is q.
// CHECK-LABEL: func.func @requantize_same_scheme(
// CHECK-SAME: %[[Q:.*]]: tensor<4x64xi4>
// CHECK-NEXT: return %[[Q]]
func.func @requantize_same_scheme(%q: tensor<4x64xi4>) -> tensor<4x64xi4> {
  %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x2xf32>) : tensor<4x64xi4> -> tensor<4x64xf32>
  %r = lowbit.quantize %x as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x2xf32>) : tensor<4x64xf32> -> tensor<4x64xi4>
  return %r : tensor<4x64xi4>
}

// -----

// Same with run-time scales and zero-points: the same SSA values.
// CHECK-LABEL: func.func @requantize_same_dynamic(
// CHECK-SAME: %[[Q:.*]]: tensor<4x16xi8>
// CHECK-NEXT: return %[[Q]]
func.func @requantize_same_dynamic(%q: tensor<4x16xi8>, %s: tensor<4xf32>, %z: tensor<4xi32>) -> tensor<4x16xi8> {
  %x = lowbit.dequantize %q as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>) : tensor<4x16xi8> -> tensor<4x16xf32>
  %r = lowbit.quantize %x as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %r : tensor<4x16xi8>
}

// -----

// Different scales change the codes: no fold.
// CHECK-LABEL: func.func @requantize_other_scales(
// CHECK: lowbit.dequantize
// CHECK: lowbit.quantize
func.func @requantize_other_scales(%q: tensor<4x16xi8>) -> tensor<4x16xi8> {
  %x = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xi8> -> tensor<4x16xf32>
  %r = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.25 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %r : tensor<4x16xi8>
}

// -----

// Different schemes (i8 codes read as u8): no fold.
// CHECK-LABEL: func.func @requantize_other_scheme(
// CHECK: lowbit.dequantize
// CHECK: lowbit.quantize
func.func @requantize_other_scheme(%q: tensor<4x16xi8>) -> tensor<4x16xi8> {
  %x = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xi8> -> tensor<4x16xf32>
  %r = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(0 : i32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %r : tensor<4x16xi8>
}

// -----

// A bf16 intermediate can round s * q onto a neighbouring code: no fold.
// CHECK-LABEL: func.func @requantize_through_bf16(
// CHECK: lowbit.dequantize
// CHECK: lowbit.quantize
func.func @requantize_through_bf16(%q: tensor<4x16xi8>) -> tensor<4x16xi8> {
  %x = lowbit.dequantize %q as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(0 : i32) : tensor<4x16xi8> -> tensor<4x16xbf16>
  %r = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(0 : i32) : tensor<4x16xbf16> -> tensor<4x16xi8>
  return %r : tensor<4x16xi8>
}

// -----

// dequantize(quantize(x)) loses precision: never folded.
// CHECK-LABEL: func.func @quantize_then_dequantize(
// CHECK: lowbit.quantize
// CHECK: lowbit.dequantize
func.func @quantize_then_dequantize(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  %y = lowbit.dequantize %q as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xi8> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// An observer whose result is unused still records statistics: kept.
// CHECK-LABEL: func.func @observer_kept(
// CHECK: lowbit.observe
func.func @observer_kept(%x: tensor<4x16xf32>) {
  %y = lowbit.observe %x id "a" stats [min_max] : tensor<4x16xf32>
  return
}
