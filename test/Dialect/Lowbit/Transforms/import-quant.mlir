// lowbit-import-quant: quant.qcast / quant.dcast on !quant.uniform types
// become lowbit.quantize / lowbit.dequantize, with the scheme, scales and
// zero-points read off the type.
// RUN: lowbit-opt %s --split-input-file --lowbit-import-quant | FileCheck %s

// The quantized value still has users (the return), so a storage cast turns
// the codes back into the upstream type.
// CHECK-LABEL: func.func @qcast_per_tensor_symmetric(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[C:.*]] = lowbit.quantize %[[X]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32) : tensor<4x8xf32> -> tensor<4x8xi8>
// CHECK: %[[Q:.*]] = quant.scast %[[C]] : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: return %[[Q]]
// CHECK-NOT: quant.qcast
func.func @qcast_per_tensor_symmetric(%x: tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.5>> {
  %q = quant.qcast %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x8x!quant.uniform<i8:f32, 0.5>>
}

// -----

// CHECK-LABEL: func.func @dcast_per_tensor_affine_u8(
// CHECK-SAME: %[[Q:.*]]: tensor<4x8x!quant.uniform<u8:f32, 2.500000e-01:128>>
// CHECK: %[[C:.*]] = quant.scast %[[Q]] : tensor<4x8x!quant.uniform<u8:f32, 2.500000e-01:128>> to tensor<4x8xi8>
// CHECK: %[[Y:.*]] = lowbit.dequantize %[[C]] as #lowbit.scheme<u8, affine> scales(2.500000e-01 : f32) zero_points(128 : i32) : tensor<4x8xi8> -> tensor<4x8xf32>
// CHECK: return %[[Y]]
func.func @dcast_per_tensor_affine_u8(%q: tensor<4x8x!quant.uniform<u8:f32, 0.25:128>>) -> tensor<4x8xf32> {
  %y = quant.dcast %q : tensor<4x8x!quant.uniform<u8:f32, 0.25:128>> to tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A signed type with a non-zero zero-point is affine i8.
// CHECK-LABEL: func.func @qcast_per_tensor_affine_i8(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<i8, affine> scales(1.250000e-01 : f32) zero_points(-3 : i32)
func.func @qcast_per_tensor_affine_i8(%x: tensor<16xf32>) -> tensor<16x!quant.uniform<i8:f32, 0.125:-3>> {
  %q = quant.qcast %x : tensor<16xf32> to tensor<16x!quant.uniform<i8:f32, 0.125:-3>>
  return %q : tensor<16x!quant.uniform<i8:f32, 0.125:-3>>
}

// -----

// u8 with zero-point 0 imports as the symmetric u8 scheme (same meaning:
// codes 0..255 stand for 0..255 * s).
// CHECK-LABEL: func.func @u8_zero_point_zero_is_symmetric(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<u8> scales(5.000000e-01 : f32) : tensor<8xi8> -> tensor<8xf32>
func.func @u8_zero_point_zero_is_symmetric(%q: tensor<8x!quant.uniform<u8:f32, 0.5>>) -> tensor<8xf32> {
  %y = quant.dcast %q : tensor<8x!quant.uniform<u8:f32, 0.5>> to tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// A qcast -> dcast pair: the storage casts in between cancel.
// CHECK-LABEL: func.func @qcast_dcast_pair(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>
// CHECK: %[[C:.*]] = lowbit.quantize %[[X]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32)
// CHECK-NEXT: %[[Y:.*]] = lowbit.dequantize %[[C]] as #lowbit.scheme<i8> scales(5.000000e-01 : f32)
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: quant.
func.func @qcast_dcast_pair(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = quant.qcast %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.5>>
  %y = quant.dcast %q : tensor<4x8x!quant.uniform<i8:f32, 0.5>> to tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @per_axis_symmetric(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, axis = 1> scales(dense<[5.000000e-01, 2.500000e-01, 1.250000e-01]> : tensor<3xf32>) : tensor<2x3xi8> -> tensor<2x3xf32>
func.func @per_axis_symmetric(%q: tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>) -> tensor<2x3xf32> {
  %y = quant.dcast %q : tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>> to tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// One non-zero zero-point makes the whole scheme affine.
// CHECK-LABEL: func.func @per_axis_affine(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<u8, axis = 0, affine> scales(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) zero_points(dense<[0, 200]> : tensor<2xi32>) : tensor<2x3xf32> -> tensor<2x3xi8>
func.func @per_axis_affine(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<u8:f32:0, {1.0, 2.0:200}>> {
  %q = quant.qcast %x : tensor<2x3xf32> to tensor<2x3x!quant.uniform<u8:f32:0, {1.0, 2.0:200}>>
  return %q : tensor<2x3x!quant.uniform<u8:f32:0, {1.0, 2.0:200}>>
}

// -----

// More than 16 scales go to a dense_resource blob.
// CHECK-LABEL: func.func @per_axis_large_goes_to_resource(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, axis = 0> scales(dense_resource<quant_scales> : tensor<17xf32>) : tensor<17x2xi8> -> tensor<17x2xf32>
// 0.5 = 0x3F000000, 1.0 = 0x3F800000, little-endian, after the alignment
// word (8).
// CHECK: quant_scales: "0x080000000000003F0000803F0000803F
func.func @per_axis_large_goes_to_resource(%q: tensor<17x2x!quant.uniform<i8:f32:0, {0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}>>) -> tensor<17x2xf32> {
  %y = quant.dcast %q : tensor<17x2x!quant.uniform<i8:f32:0, {0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}>> to tensor<17x2xf32>
  return %y : tensor<17x2xf32>
}

// -----

// Sub-channel with blocks of 2 along K and of 1 along N: group-wise.
// CHECK-LABEL: func.func @sub_channel_group(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, group = 2, axis = 1> scales(dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>) : tensor<2x4xi8> -> tensor<2x4xf32>
func.func @sub_channel_group(%q: tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{1.0, 2.0}, {3.0, 4.0}}>>) -> tensor<2x4xf32> {
  %y = quant.dcast %q : tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{1.0, 2.0}, {3.0, 4.0}}>> to tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// u8 zero-points above 127: upstream holds them in the storage type and
// prints 200 as -56; they are read back as unsigned.
// CHECK-LABEL: func.func @sub_channel_group_u8_affine(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<u8, group = 2, axis = 1, affine> scales(dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>) zero_points(dense<{{\[}}[200, 3], [4, 5]]> : tensor<2x2xi32>)
func.func @sub_channel_group_u8_affine(%x: tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<u8:f32:{0:1, 1:2}, {{1.0:200, 2.0:3}, {3.0:4, 4.0:5}}>> {
  %q = quant.qcast %x : tensor<2x4xf32> to tensor<2x4x!quant.uniform<u8:f32:{0:1, 1:2}, {{1.0:200, 2.0:3}, {3.0:4, 4.0:5}}>>
  return %q : tensor<2x4x!quant.uniform<u8:f32:{0:1, 1:2}, {{1.0:200, 2.0:3}, {3.0:4, 4.0:5}}>>
}

// -----

// Blocks of 1 along N and one block along K (the default for an unlisted
// dimension): one scale per row, i.e. per axis 0.
// CHECK-LABEL: func.func @sub_channel_per_axis(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, axis = 0> scales(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) : tensor<2x4xi8> -> tensor<2x4xf32>
func.func @sub_channel_per_axis(%q: tensor<2x4x!quant.uniform<i8:f32:{0:1}, {{1.0}, {2.0}}>>) -> tensor<2x4xf32> {
  %y = quant.dcast %q : tensor<2x4x!quant.uniform<i8:f32:{0:1}, {{1.0}, {2.0}}>> to tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// No block sizes at all: one block, one scale.
// CHECK-LABEL: func.func @sub_channel_per_tensor(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8> scales(3.000000e+00 : f32) : tensor<2x4xi8> -> tensor<2x4xf32>
func.func @sub_channel_per_tensor(%q: tensor<2x4x!quant.uniform<i8:f32:{}, {{3.0}}>>) -> tensor<2x4xf32> {
  %y = quant.dcast %q : tensor<2x4x!quant.uniform<i8:f32:{}, {{3.0}}>> to tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Blocks of 1 everywhere: a scale per element, groups of 1.
// CHECK-LABEL: func.func @sub_channel_per_element(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, group = 1, axis = 1> scales(dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>) : tensor<2x2xi8> -> tensor<2x2xf32>
func.func @sub_channel_per_element(%q: tensor<2x2x!quant.uniform<i8:f32:{0:1, 1:1}, {{1.0, 2.0}, {3.0, 4.0}}>>) -> tensor<2x2xf32> {
  %y = quant.dcast %q : tensor<2x2x!quant.uniform<i8:f32:{0:1, 1:1}, {{1.0, 2.0}, {3.0, 4.0}}>> to tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A quantized i4 weight given as scast of an integer constant: after import
// the dequantize reads the constant directly (ready for
// lowbit-fuse-dequant-matmul). The i4 element type is the same on both sides,
// so the constant is used as it is.
// CHECK-LABEL: func.func @i4_constant_weight(
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<4x8xi4>
// CHECK-NOT: quant.
// CHECK: %[[WF:.*]] = lowbit.dequantize %[[W]] as #lowbit.scheme<i4, group = 4, axis = 1> scales(dense<{{.*}}> : tensor<4x2xf32>) : tensor<4x8xi4> -> tensor<4x8xf32>
// CHECK: linalg.matmul {{.*}} ins(%{{.*}}, %[[WF]] :
func.func @i4_constant_weight(%x: tensor<2x8xf32>, %acc: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<[[1, -2, 3, -4, 5, -6, 7, -8], [0, 1, 2, 3, 4, 5, 6, 7], [-1, -1, -1, -1, 1, 1, 1, 1], [7, 7, 7, 7, -8, -8, -8, -8]]> : tensor<4x8xi4>
  %q = quant.scast %c : tensor<4x8xi4> to tensor<4x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5, 0.25}, {0.5, 0.25}, {1.0, 1.0}, {2.0, 2.0}}>>
  %w = quant.dcast %q : tensor<4x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5, 0.25}, {0.5, 0.25}, {1.0, 1.0}, {2.0, 2.0}}>> to tensor<4x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
       ins(%x, %w : tensor<2x8xf32>, tensor<4x8xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @u4_affine(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<u4, affine> scales(2.000000e+00 : f32) zero_points(8 : i32) : tensor<6xi4> -> tensor<6xf32>
func.func @u4_affine(%q: tensor<6x!quant.uniform<u4:f32, 2.0:8>>) -> tensor<6xf32> {
  %y = quant.dcast %q : tensor<6x!quant.uniform<u4:f32, 2.0:8>> to tensor<6xf32>
  return %y : tensor<6xf32>
}

// -----

// The expressed type becomes the real type of the lowbit op; scales stay f32.
// CHECK-LABEL: func.func @f16_and_bf16_expressed(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<i8> scales(1.250000e-01 : f32) : tensor<4xf16> -> tensor<4xi8>
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, group = 2, axis = 0> scales(dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>) : tensor<4xi8> -> tensor<4xbf16>
func.func @f16_and_bf16_expressed(%x: tensor<4xf16>, %q: tensor<4x!quant.uniform<i8:bf16:{0:2}, {1.0, 0.5}>>) -> (tensor<4x!quant.uniform<i8:f16, 0.125>>, tensor<4xbf16>) {
  %a = quant.qcast %x : tensor<4xf16> to tensor<4x!quant.uniform<i8:f16, 0.125>>
  %b = quant.dcast %q : tensor<4x!quant.uniform<i8:bf16:{0:2}, {1.0, 0.5}>> to tensor<4xbf16>
  return %a, %b : tensor<4x!quant.uniform<i8:f16, 0.125>>, tensor<4xbf16>
}

// -----

// Scales are rounded to the nearest f32: 0.1 (a double) becomes
// 0x3DCCCCCD = 0.100000001490116.
// CHECK-LABEL: func.func @scale_rounded_to_f32(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8> scales(1.000000e-01 : f32)
func.func @scale_rounded_to_f32(%q: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32> {
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.1>> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A narrow storage range does not change what dequantization computes, so a
// dcast of it imports (a qcast does not: see import-quant-invalid.mlir).
// CHECK-LABEL: func.func @narrow_range_dequantize(
// CHECK: lowbit.dequantize %{{.*}} as #lowbit.scheme<i8, axis = 0> scales(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) : tensor<2x4xi8> -> tensor<2x4xf32>
func.func @narrow_range_dequantize(%q: tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {1.0, 2.0}>>) -> tensor<2x4xf32> {
  %y = quant.dcast %q : tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {1.0, 2.0}>> to tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Dynamic dimensions other than the quantized one are fine.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK: lowbit.quantize %{{.*}} as #lowbit.scheme<i8, axis = 1> scales(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) : tensor<?x2xf32> -> tensor<?x2xi8>
func.func @dynamic_rows(%x: tensor<?x2xf32>) -> tensor<?x2x!quant.uniform<i8:f32:1, {1.0, 2.0}>> {
  %q = quant.qcast %x : tensor<?x2xf32> to tensor<?x2x!quant.uniform<i8:f32:1, {1.0, 2.0}>>
  return %q : tensor<?x2x!quant.uniform<i8:f32:1, {1.0, 2.0}>>
}
