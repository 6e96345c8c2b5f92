// Round trips of every lowbit op and of #lowbit.scheme: the custom and the
// generic form print back to the same custom form (bytecode.mlir covers
// bytecode).
// RUN: lowbit-opt %s --split-input-file | lowbit-opt --split-input-file | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --mlir-print-op-generic | lowbit-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<i8> scales(5.000000e-01 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
func.func @quantize_per_tensor(%x: tensor<4x16xf32>) -> tensor<4x16xi8> {
  %q = lowbit.quantize %x as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %q : tensor<4x16xi8>
}

// -----

// CHECK-LABEL: func.func @quantize_affine_per_tensor(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<u8, affine> scales(2.500000e-01 : f32) zero_points(128 : i32) : tensor<8xf16> -> tensor<8xi8>
func.func @quantize_affine_per_tensor(%x: tensor<8xf16>) -> tensor<8xi8> {
  %q = lowbit.quantize %x as #lowbit.scheme<u8, affine> scales(0.25 : f32) zero_points(128 : i32) : tensor<8xf16> -> tensor<8xi8>
  return %q : tensor<8xi8>
}

// -----

// Dynamic per-row scales and zero-points are operands.
// CHECK-LABEL: func.func @quantize_dynamic_per_row(
// CHECK-SAME: %[[X:.*]]: tensor<4x16xf32>, %[[S:.*]]: tensor<4xf32>, %[[Z:.*]]: tensor<4xi32>
// CHECK: lowbit.quantize %[[X]] as #lowbit.scheme<u8, axis = 0, affine> scales(%[[S]] : tensor<4xf32>) zero_points(%[[Z]] : tensor<4xi32>) : tensor<4x16xf32> -> tensor<4x16xi8>
func.func @quantize_dynamic_per_row(%x: tensor<4x16xf32>, %s: tensor<4xf32>, %z: tensor<4xi32>) -> tensor<4x16xi8> {
  %q = lowbit.quantize %x as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>) : tensor<4x16xf32> -> tensor<4x16xi8>
  return %q : tensor<4x16xi8>
}

// -----

// CHECK-LABEL: func.func @quantize_fp8_per_axis(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<f8E4M3FN, axis = 1, scale = bf16> scales(dense<1.000000e+00> : tensor<16xbf16>) : tensor<4x16xbf16> -> tensor<4x16xf8E4M3FN>
func.func @quantize_fp8_per_axis(%x: tensor<4x16xbf16>) -> tensor<4x16xf8E4M3FN> {
  %q = lowbit.quantize %x as #lowbit.scheme<f8E4M3FN, axis = 1, scale = bf16> scales(dense<1.0> : tensor<16xbf16>) : tensor<4x16xbf16> -> tensor<4x16xf8E4M3FN>
  return %q : tensor<4x16xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @dequantize_group_i4(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<1.000000e+00> : tensor<8x2xf16>) : tensor<8x64xi4> -> tensor<8x64xf32>
func.func @dequantize_group_i4(%q: tensor<8x64xi4>) -> tensor<8x64xf32> {
  %x = lowbit.dequantize %q as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<1.0> : tensor<8x2xf16>) : tensor<8x64xi4> -> tensor<8x64xf32>
  return %x : tensor<8x64xf32>
}

// -----

// CHECK-LABEL: func.func @dequantize_each_format(
// CHECK: as #lowbit.scheme<u4, group = 16, axis = 1, affine> scales(dense<1.000000e+00> : tensor<2x2xf32>) zero_points(dense<8> : tensor<2x2xi32>) : tensor<2x32xi4> -> tensor<2x32xf32>
// CHECK: as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<1.000000e+00> : tensor<2x1xf32>) : tensor<2x32xi4> -> tensor<2x32xf32>
// CHECK: as #lowbit.scheme<f4E2M1FN, group = 32, axis = 1> scales(dense<1.000000e+00> : tensor<2x1xf32>) : tensor<2x32xf4E2M1FN> -> tensor<2x32xf32>
// CHECK: as #lowbit.scheme<f8E5M2> scales(1.000000e+00 : f32) : tensor<2x32xf8E5M2> -> tensor<2x32xf32>
func.func @dequantize_each_format(%u4: tensor<2x32xi4>, %nf4: tensor<2x32xi4>, %fp4: tensor<2x32xf4E2M1FN>, %fp8: tensor<2x32xf8E5M2>) -> (tensor<2x32xf32>, tensor<2x32xf32>, tensor<2x32xf32>, tensor<2x32xf32>) {
  %a = lowbit.dequantize %u4 as #lowbit.scheme<u4, group = 16, axis = 1, affine> scales(dense<1.0> : tensor<2x2xf32>) zero_points(dense<8> : tensor<2x2xi32>) : tensor<2x32xi4> -> tensor<2x32xf32>
  %b = lowbit.dequantize %nf4 as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<1.0> : tensor<2x1xf32>) : tensor<2x32xi4> -> tensor<2x32xf32>
  %c = lowbit.dequantize %fp4 as #lowbit.scheme<f4E2M1FN, group = 32, axis = 1> scales(dense<1.0> : tensor<2x1xf32>) : tensor<2x32xf4E2M1FN> -> tensor<2x32xf32>
  %d = lowbit.dequantize %fp8 as #lowbit.scheme<f8E5M2> scales(1.0 : f32) : tensor<2x32xf8E5M2> -> tensor<2x32xf32>
  return %a, %b, %c, %d : tensor<2x32xf32>, tensor<2x32xf32>, tensor<2x32xf32>, tensor<2x32xf32>
}

// -----

// CHECK-LABEL: func.func @observe(
// CHECK: lowbit.observe %{{.*}} id "fc1.input" stats [min_max, histogram, channel_abs_max, gram] {bins = 512 : i64, channel_axis = 1 : i64} : tensor<8x64xf32>
// CHECK: lowbit.observe %{{.*}} id "fc1.output" stats [moving_average_min_max] : tensor<8x64xf32>
func.func @observe(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = lowbit.observe %x id "fc1.input" stats [min_max, histogram, channel_abs_max, gram] {bins = 512 : i64, channel_axis = 1 : i64} : tensor<8x64xf32>
  %z = lowbit.observe %y id "fc1.output" stats [moving_average_min_max] : tensor<8x64xf32>
  return %z : tensor<8x64xf32>
}

// -----

// CHECK-LABEL: func.func @dequant_matmul_group(
// CHECK-SAME: %[[X:.*]]: tensor<2x8x128xf16>, %[[W:.*]]: tensor<64x128xi4>, %[[B:.*]]: tensor<64xf16>
// CHECK: lowbit.dequant_matmul %[[X]], %[[W]] as #lowbit.scheme<i4, group = 64, axis = 1, scale = f16> scales(dense<1.000000e+00> : tensor<64x2xf16>) bias(%[[B]] : tensor<64xf16>) : tensor<2x8x128xf16>, tensor<64x128xi4> -> tensor<2x8x64xf16>
func.func @dequant_matmul_group(%x: tensor<2x8x128xf16>, %w: tensor<64x128xi4>, %b: tensor<64xf16>) -> tensor<2x8x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 64, axis = 1, scale = f16> scales(dense<1.0> : tensor<64x2xf16>) bias(%b : tensor<64xf16>) : tensor<2x8x128xf16>, tensor<64x128xi4> -> tensor<2x8x64xf16>
  return %y : tensor<2x8x64xf16>
}

// -----

// CHECK-LABEL: func.func @dequant_matmul_batched_affine(
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<u8, axis = 1, affine> scales(dense<2.000000e-02> : tensor<16xf32>) zero_points(dense<128> : tensor<16xi32>) : tensor<3x4x32xf32>, tensor<3x16x32xi8> -> tensor<3x4x16xf32>
func.func @dequant_matmul_batched_affine(%x: tensor<3x4x32xf32>, %w: tensor<3x16x32xi8>) -> tensor<3x4x16xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u8, axis = 1, affine> scales(dense<0.02> : tensor<16xf32>) zero_points(dense<128> : tensor<16xi32>) : tensor<3x4x32xf32>, tensor<3x16x32xi8> -> tensor<3x4x16xf32>
  return %y : tensor<3x4x16xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_dequantize_epilogue(
// CHECK-SAME: %[[A:.*]]: tensor<4x64xi8>, %[[W:.*]]: tensor<32x64xi8>, %[[S:.*]]: tensor<4xf32>, %[[Z:.*]]: tensor<4xi32>, %[[B:.*]]: tensor<32xf32>
// CHECK: lowbit.matmul %[[A]], %[[W]] lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%[[S]] : tensor<4xf32>) zero_points(%[[Z]] : tensor<4xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<1.000000e-01> : tensor<32xf32>)) col_sums(dense<64> : tensor<32xi32>) bias(%[[B]] : tensor<32xf32>) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
func.func @matmul_dequantize_epilogue(%a: tensor<4x64xi8>, %w: tensor<32x64xi8>, %s: tensor<4xf32>, %z: tensor<4xi32>, %b: tensor<32xf32>) -> tensor<4x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%s : tensor<4xf32>) zero_points(%z : tensor<4xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.1> : tensor<32xf32>)) col_sums(dense<64> : tensor<32xi32>) bias(%b : tensor<32xf32>) : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_requantize(
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} lhs(as #lowbit.scheme<i8> scales(5.000000e-02 : f32)) rhs(as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<1.000000e-01> : tensor<32x2xf32>)) requantize(as #lowbit.scheme<i8> scales(2.000000e-01 : f32)) : tensor<4x64xi8>, tensor<32x64xi4> -> tensor<4x32xi8>
func.func @matmul_requantize(%a: tensor<4x64xi8>, %w: tensor<32x64xi4>) -> tensor<4x32xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.05 : f32)) rhs(as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.1> : tensor<32x2xf32>)) requantize(as #lowbit.scheme<i8> scales(0.2 : f32)) : tensor<4x64xi8>, tensor<32x64xi4> -> tensor<4x32xi8>
  return %y : tensor<4x32xi8>
}

// -----

// CHECK-LABEL: func.func @matmul_fp8(
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} lhs(as #lowbit.scheme<f8E4M3FN> scales(%{{.*}} : tensor<f32>)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<1.000000e+00> : tensor<32xf32>)) : tensor<16x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<16x32xbf16>
func.func @matmul_fp8(%a: tensor<16x64xf8E4M3FN>, %w: tensor<32x64xf8E4M3FN>, %s: tensor<f32>) -> tensor<16x32xbf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(%s : tensor<f32>)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<1.0> : tensor<32xf32>)) : tensor<16x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<16x32xbf16>
  return %y : tensor<16x32xbf16>
}

// -----

// Scales held in a dense_resource blob stay a handle.
// CHECK-LABEL: func.func @resource_scales(
// CHECK: scales(dense_resource<w_scales> : tensor<4xf32>)
func.func @resource_scales(%q: tensor<4x8xi8>) -> tensor<4x8xf32> {
  %x = lowbit.dequantize %q as #lowbit.scheme<i8, axis = 0> scales(dense_resource<w_scales> : tensor<4xf32>) : tensor<4x8xi8> -> tensor<4x8xf32>
  return %x : tensor<4x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_scales: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// Double-quantized group scales (QLoRA): int8 codes, one f32 scale per 256.
// CHECK-LABEL: func.func @dequant_matmul_double_quant(
// CHECK: lowbit.dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<3> : tensor<32x2xi8>) scale_quant(blocks = dense<1.000000e-01> : tensor<1xf32>, offset = 5.000000e-01) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf32>
func.func @dequant_matmul_double_quant(%x: tensor<4x64xf32>, %w: tensor<32x64xi4>) -> tensor<4x32xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<3> : tensor<32x2xi8>) scale_quant(blocks = dense<0.1> : tensor<1xf32>, offset = 0.5) : tensor<4x64xf32>, tensor<32x64xi4> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// CHECK-LABEL: func.func @permute16(
// CHECK: lowbit.permute16 %{{.*}}, %{{.*}} : vector<16xi32> -> vector<16xf32>
func.func @permute16(%table: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  %r = lowbit.permute16 %table, %i : vector<16xi32> -> vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @prefetch(
// CHECK: lowbit.prefetch %{{.*}}[%{{.*}}, %{{.*}}] : tensor<4x8xi32>
func.func @prefetch(%t: tensor<4x8xi32>, %i: index, %j: index) {
  lowbit.prefetch %t[%i, %j] : tensor<4x8xi32>
  return
}

// CHECK-LABEL: func.func @permute_words32(
// CHECK: lowbit.permute_words32 %{{.*}}, %{{.*}} : vector<32xi16>
func.func @permute_words32(%table: vector<32xi16>, %i: vector<32xi16>) -> vector<32xi16> {
  %r = lowbit.permute_words32 %table, %i : vector<32xi16>
  return %r : vector<32xi16>
}

// CHECK-LABEL: func.func @dot_i16(
// CHECK: lowbit.dot_i16 %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi16> -> vector<8xi32>
func.func @dot_i16(%acc: vector<8xi32>, %a: vector<16xi16>, %w: vector<16xi16>) -> vector<8xi32> {
  %r = lowbit.dot_i16 %acc, %a, %w : vector<16xi16> -> vector<8xi32>
  return %r : vector<8xi32>
}

// CHECK-LABEL: func.func @dot_u8s8(
// CHECK: lowbit.dot_u8s8 %{{.*}}, %{{.*}}, %{{.*}} : vector<32xi8> -> vector<8xi32>
func.func @dot_u8s8(%acc: vector<8xi32>, %a: vector<32xi8>, %w: vector<32xi8>) -> vector<8xi32> {
  %r = lowbit.dot_u8s8 %acc, %a, %w : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

// CHECK-LABEL: func.func @staged_dequant_matmul(
// CHECK: lowbit.staged_dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<u4, group = 64, axis = 1, affine> scales(%{{.*}} : memref<128xf32>) zero_points(%{{.*}} : memref<128xi32>) bias(%{{.*}} : memref<64xf16>) into %{{.*}} : memref<64x128xf16>, memref<4096xi8>, memref<64x64xf16>
// CHECK: lowbit.staged_dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<f8E4M3FN> scales(%{{.*}} : f32) into %{{.*}} : memref<64x64xf16>, memref<4096xf8E4M3FN>, memref<64x64xf16>
func.func @staged_dequant_matmul(%x: memref<64x128xf16>, %w: memref<4096xi8>, %s: memref<128xf32>, %z: memref<128xi32>, %b: memref<64xf16>, %y: memref<64x64xf16>, %x2: memref<64x64xf16>, %w2: memref<4096xf8E4M3FN>, %s2: f32) {
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<u4, group = 64, axis = 1, affine> scales(%s : memref<128xf32>) zero_points(%z : memref<128xi32>) bias(%b : memref<64xf16>) into %y : memref<64x128xf16>, memref<4096xi8>, memref<64x64xf16>
  lowbit.staged_dequant_matmul %x2, %w2 as #lowbit.scheme<f8E4M3FN> scales(%s2 : f32) into %y : memref<64x64xf16>, memref<4096xf8E4M3FN>, memref<64x64xf16>
  return
}

// -----

// CHECK-LABEL: func.func @staged_matmul(
// CHECK: lowbit.staged_matmul %{{.*}}, %{{.*}} into %{{.*}} lhs(#lowbit.scheme<u8, axis = 0, affine> scales(%{{.*}} : memref<128xf32>) zero_points(%{{.*}} : memref<128xi32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%{{.*}} : memref<256xf32>) col_sums(%{{.*}} : memref<256xi32>)) bias(%{{.*}} : memref<256xf32>) requantize(#lowbit.scheme<u8, affine> scales(%{{.*}} : f32) zero_points(%{{.*}} : i32)) : memref<128x512xi8>, memref<256x512xi8>, memref<128x256xi8>
// CHECK: lowbit.staged_matmul %{{.*}}, %{{.*}} into %{{.*}} lhs(#lowbit.scheme<f8E4M3FN> scales(%{{.*}} : f32)) rhs(#lowbit.scheme<f8E5M2> scales(%{{.*}} : f32)) : memref<128x512xf8E4M3FN>, memref<256x512xf8E5M2>, memref<128x256xf32>
func.func @staged_matmul(%a: memref<128x512xi8>, %sa: memref<128xf32>, %za: memref<128xi32>, %w: memref<256x512xi8>, %sw: memref<256xf32>, %cs: memref<256xi32>, %b: memref<256xf32>, %so: f32, %zo: i32, %y: memref<128x256xi8>, %a8: memref<128x512xf8E4M3FN>, %w8: memref<256x512xf8E5M2>, %y8: memref<128x256xf32>) {
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8, axis = 0, affine> scales(%sa : memref<128xf32>) zero_points(%za : memref<128xi32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%sw : memref<256xf32>) col_sums(%cs : memref<256xi32>)) bias(%b : memref<256xf32>) requantize(#lowbit.scheme<u8, affine> scales(%so : f32) zero_points(%zo : i32)) : memref<128x512xi8>, memref<256x512xi8>, memref<128x256xi8>
  lowbit.staged_matmul %a8, %w8 into %y8 lhs(#lowbit.scheme<f8E4M3FN> scales(%so : f32)) rhs(#lowbit.scheme<f8E5M2> scales(%so : f32)) : memref<128x512xf8E4M3FN>, memref<256x512xf8E5M2>, memref<128x256xf32>
  return
}
