// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv="max-m=0" | FileCheck %s --check-prefix=OFF

// W4A16, group 32, M = 1, with a bias: the packed constant is read as 128
// bytes, one warp per weight row (4 rows: one block of 4 warps = 128
// threads). Each lane loads 16 bytes per step (a warp: 512 bytes), splits
// them into 32 sign-extended nibbles (low first) and converts them in
// registers; the group scale multiplies each chunk's dot product. A
// butterfly of gpu.shuffle xor sums the lanes; lane 0 adds the bias, casts
// and stores.
// CHECK-LABEL: func.func @i4_group_m1(
// CHECK-SAME: %[[X:.*]]: tensor<1x64xf16>, %[[B:.*]]: tensor<4xf16>)
// CHECK: %[[WT:.*]] = arith.constant dense_resource<w4b> : tensor<128xi8>
// CHECK: %[[W:.*]] = bufferization.to_buffer %[[WT]] read_only : tensor<128xi8> to memref<128xi8>
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x64xf16> to memref<1x64xf16>
// CHECK: %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK: %[[SC:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4x2xf16> into tensor<8xf16>
// CHECK: %[[S:.*]] = bufferization.to_buffer %[[SC]] read_only : tensor<8xf16> to memref<8xf16>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<1x4xf16>
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[NB:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[NB]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK: %[[WARP:.*]] = arith.divui %[[TX]], %{{.*}} : index
// CHECK: %[[LANE:.*]] = arith.remui %[[TX]], %{{.*}} : index
// CHECK: %[[ROW0:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.addi %[[ROW0]], %[[WARP]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ROW]], %{{.*}} : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[BASE:.*]] = arith.muli %[[ROW]], %{{.*}} : index
// CHECK: %[[START:.*]] = arith.muli %[[LANE]], %{{.*}} : index
// CHECK: %[[ACC:.*]] = scf.for %[[BYTE:.*]] = %[[START]] to %{{.*}} step %{{.*}} iter_args(%[[A:.*]] = %{{.*}}) -> (f32) {
// CHECK: %[[ADDR:.*]] = arith.addi %[[BASE]], %[[BYTE]] : index
// CHECK: %[[Q:.*]] = vector.load %[[W]][%[[ADDR]]] {alignment = 16 : i64} : memref<128xi8>, vector<16xi8>
// CHECK: %[[K0:.*]] = arith.muli %[[BYTE]], %{{.*}} : index
// CHECK: %[[Q32:.*]] = arith.extui %[[Q]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[LO:.*]] = arith.andi %[[Q32]], %{{.*}} : vector<16xi32>
// CHECK: %[[HI:.*]] = arith.shrui %[[Q32]], %{{.*}} : vector<16xi32>
// CHECK: %[[CODES:.*]] = vector.interleave %[[LO]], %[[HI]] : vector<16xi32> -> vector<32xi32>
// CHECK: %[[XOR:.*]] = arith.xori %[[CODES]], %[[EIGHT:.*]] : vector<32xi32>
// CHECK: %[[SIGNED:.*]] = arith.subi %[[XOR]], %[[EIGHT]] : vector<32xi32>
// CHECK: %[[WF:.*]] = arith.sitofp %[[SIGNED]] : vector<32xi32> to vector<32xf32>
// CHECK: %[[S16:.*]] = memref.load %[[S]][%{{.*}}] : memref<8xf16>
// CHECK: %[[S32:.*]] = arith.extf %[[S16]] : f16 to f32
// CHECK: %[[XV:.*]] = vector.load %[[XB]][%{{.*}}, %[[K0]]] {alignment = 16 : i64} : memref<1x64xf16>, vector<32xf16>
// CHECK: %[[XF:.*]] = arith.extf %[[XV]] : vector<32xf16> to vector<32xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[XF]], %[[WF]] : vector<32xf32>
// CHECK: %[[DOT:.*]] = vector.reduction <add>, %[[P]] fastmath<reassoc> : vector<32xf32> into f32
// CHECK: %[[SD:.*]] = arith.mulf %[[DOT]], %[[S32]] : f32
// CHECK: %[[NEXT:.*]] = arith.addf %[[A]], %[[SD]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: gpu.shuffle xor %[[ACC]], %{{.*}}, %{{.*}} : f32
// CHECK-COUNT-4: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[BIAS:.*]] = memref.load %[[BB]][%[[ROW]]] : memref<4xf16>
// CHECK: %[[BIAS32:.*]] = arith.extf %[[BIAS]] : f16 to f32
// CHECK: %[[R:.*]] = arith.addf %{{.*}}, %[[BIAS32]] : f32
// CHECK: %[[R16:.*]] = arith.truncf %[[R]] : f32 to f16
// CHECK: memref.store %[[R16]], %[[Y]][%{{.*}}, %[[ROW]]] : memref<1x4xf16>
// CHECK: gpu.terminator
// CHECK: %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<1x4xf16> to tensor<1x4xf16>
// CHECK: return %[[YT]]
// OFF-LABEL: func.func @i4_group_m1(
// OFF: lowbit.dequant_matmul
// OFF-NOT: gpu.launch
func.func @i4_group_m1(%x: tensor<1x64xf16>, %b: tensor<4xf16>) -> tensor<1x4xf16> {
  %w = arith.constant dense_resource<w4b> : tensor<4x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf16>) bias(%b : tensor<4xf16>) : tensor<1x64xf16>, tensor<4x64xi4> -> tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}

{-#
  dialect_resources: { builtin: {
    w4b: "0x040000002121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}

// -----

// u4 with zero-points, M = 2: the codes are not sign-extended; the group's
// zero-point is read as i32 and subtracted from every code before the
// conversion; two accumulators, one per activation row.
// CHECK-LABEL: func.func @u4_affine(
// CHECK: %[[ZP:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4xi32> to memref<4xi32>
// CHECK: scf.for {{.*}} -> (f32, f32) {
// CHECK: %[[Z:.*]] = memref.load %[[ZP]][%{{.*}}] : memref<4xi32>
// CHECK: %[[CODES:.*]] = vector.interleave
// CHECK-NOT: arith.xori
// CHECK: %[[ZV:.*]] = vector.broadcast %[[Z]] : i32 to vector<32xi32>
// CHECK: %[[SUB:.*]] = arith.subi %[[CODES]], %[[ZV]] : vector<32xi32>
// CHECK: arith.sitofp %[[SUB]] : vector<32xi32> to vector<32xf32>
// CHECK-COUNT-2: vector.reduction <add>
// CHECK: scf.yield %{{.*}}, %{{.*}} : f32, f32
// CHECK-COUNT-10: gpu.shuffle xor
func.func @u4_affine(%x: tensor<2x32xf16>) -> tensor<2x4xf16> {
  %w = arith.constant dense_resource<w4> : tensor<4x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 32, axis = 1, affine> scales(dense<0.5> : tensor<4x1xf32>) zero_points(dense<[[8], [7], [8], [9]]> : tensor<4x1xi32>) : tensor<2x32xf16>, tensor<4x32xi4> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

{-#
  dialect_resources: { builtin: {
    w4: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}

// -----

// NF4: each code picks one of the 16 levels through four rounds of selects
// on its bits (8 + 4 + 2 + 1), in registers: no table in memory.
// CHECK-LABEL: func.func @nf4(
// CHECK: %[[CODES:.*]] = vector.interleave
// CHECK-DAG: arith.constant dense<-1.000000e+00> : vector<32xf32>
// CHECK-DAG: arith.constant dense<0.722956836> : vector<32xf32>
// CHECK-DAG: arith.constant dense<1.000000e+00> : vector<32xf32>
// CHECK: %[[BIT0:.*]] = arith.andi %[[CODES]], %{{.*}} : vector<32xi32>
// CHECK: %[[SET0:.*]] = arith.cmpi ne, %[[BIT0]], %{{.*}} : vector<32xi32>
// CHECK-COUNT-8: arith.select %[[SET0]]
// CHECK: arith.cmpi ne
// CHECK-COUNT-4: arith.select
// CHECK: arith.cmpi ne
// CHECK-COUNT-2: arith.select
// CHECK: arith.cmpi ne
// CHECK: %[[LEVEL:.*]] = arith.select
// CHECK-NOT: arith.select
// CHECK: arith.mulf %{{.*}}, %[[LEVEL]] : vector<32xf32>
// CHECK-NOT: tensor.extract
func.func @nf4(%x: tensor<2x32xf16>) -> tensor<2x4xf16> {
  %w = arith.constant dense_resource<w4> : tensor<4x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x1xf32>) : tensor<2x32xf16>, tensor<4x32xi4> -> tensor<2x4xf16>
  return %y : tensor<2x4xf16>
}

{-#
  dialect_resources: { builtin: {
    w4: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}

// -----

// int8 weights passed as an argument, per-row scales, bf16 activations,
// M = 16 (the largest GEMV by default): the weight is flattened to bytes,
// 16 codes per lane and step, sign-extended; sixteen accumulators; the row
// scale is applied once, in the epilogue.
// CHECK-LABEL: func.func @i8_channel_arg(
// CHECK-SAME: %[[X:.*]]: tensor<16x32xbf16>, %[[W:.*]]: tensor<4x32xi8>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0, 1]] : tensor<4x32xi8> into tensor<128xi8>
// CHECK: %[[S:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<4xf32> to memref<4xf32>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: %[[Q:.*]] = vector.load %{{.*}}[%{{.*}}] {alignment = 16 : i64} : memref<128xi8>, vector<16xi8>
// CHECK: %[[Q32:.*]] = arith.extsi %[[Q]] : vector<16xi8> to vector<16xi32>
// CHECK: arith.sitofp %[[Q32]] : vector<16xi32> to vector<16xf32>
// CHECK-NOT: memref.load
// CHECK: vector.load %{{.*}}[%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<16x32xbf16>, vector<16xbf16>
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK-COUNT-16: vector.reduction <add>
// CHECK-COUNT-80: gpu.shuffle xor
// CHECK: scf.if
// CHECK: %[[SCALE:.*]] = memref.load %[[S]][%[[ROW:.*]]] : memref<4xf32>
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-COUNT-16: memref.store
func.func @i8_channel_arg(%x: tensor<16x32xbf16>, %w: tensor<4x32xi8>) -> tensor<16x4xbf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>) : tensor<16x32xbf16>, tensor<4x32xi8> -> tensor<16x4xbf16>
  return %y : tensor<16x4xbf16>
}

// -----

// FP8 E4M3 weights (an argument) with one scale for the tensor: the bytes
// are loaded as f8E4M3FN and bitcast; sign, exponent and mantissa become
// f32 bits with integer arithmetic (normal: (e + 120) << 23 | m << 20;
// subnormal: m * 2^-9; 0x7f/0xff: NaN); the scalar scale is applied in the
// epilogue.
// CHECK-LABEL: func.func @e4m3_tensor_arg(
// CHECK: tensor.collapse_shape %{{.*}} : tensor<4x32xf8E4M3FN> into tensor<128xf8E4M3FN>
// CHECK: %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK: %[[Q:.*]] = vector.load %{{.*}} : memref<128xf8E4M3FN>, vector<16xf8E4M3FN>
// CHECK: %[[B:.*]] = arith.bitcast %[[Q]] : vector<16xf8E4M3FN> to vector<16xi8>
// CHECK: %[[C:.*]] = arith.extui %[[B]] : vector<16xi8> to vector<16xi32>
// CHECK: arith.constant dense<120> : vector<16xi32>
// CHECK: %[[NORMAL:.*]] = arith.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: arith.constant dense<0.001953125> : vector<16xf32>
// CHECK: arith.select
// CHECK: arith.constant dense<127> : vector<16xi32>
// CHECK: arith.constant dense<0x7FC00000> : vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: scf.if
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f32
func.func @e4m3_tensor_arg(%x: tensor<1x32xf16>, %w: tensor<4x32xf8E4M3FN>) -> tensor<1x4xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32) : tensor<1x32xf16>, tensor<4x32xf8E4M3FN> -> tensor<1x4xf16>
  return %y : tensor<1x4xf16>
}

// -----

// FP8 E5M2 is the top byte of an f16: shift by 8, truncate to i16, bitcast,
// extend. f32 activations are used as they are, and the f32 result is not
// truncated.
// CHECK-LABEL: func.func @e5m2(
// CHECK: %[[C:.*]] = arith.extui %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: %[[SH:.*]] = arith.shli %[[C]], %{{.*}} : vector<16xi32>
// CHECK: %[[H:.*]] = arith.trunci %[[SH]] : vector<16xi32> to vector<16xi16>
// CHECK: %[[F16:.*]] = arith.bitcast %[[H]] : vector<16xi16> to vector<16xf16>
// CHECK: %[[V:.*]] = arith.extf %[[F16]] : vector<16xf16> to vector<16xf32>
// CHECK: %[[XV:.*]] = vector.load %{{.*}} : memref<1x32xf32>, vector<16xf32>
// CHECK: arith.mulf %[[XV]], %[[V]] : vector<16xf32>
// CHECK-NOT: arith.truncf
// CHECK: memref.store %{{.*}} : memref<1x4xf32>
func.func @e5m2(%x: tensor<1x32xf32>, %w: tensor<4x32xf8E5M2>) -> tensor<1x4xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E5M2, axis = 0> scales(dense<1.0> : tensor<4xf32>) : tensor<1x32xf32>, tensor<4x32xf8E5M2> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Dense (not resource) 4-bit constants are packed by the pass, two codes
// per byte, low nibble first: -3 is 0xD, so a splat of -3 is bytes 0xDD
// (-35); (1, 2) is 0x21 (33), (7, -8) is 0x87 (-121), (6, -1) is 0xF6
// (-10).
// CHECK-LABEL: func.func @dense_i4(
// CHECK: %[[S:.*]] = arith.constant dense<-35> : tensor<32xi8>
// CHECK: bufferization.to_buffer %[[S]] read_only : tensor<32xi8> to memref<32xi8>
// CHECK: %[[D:.*]] = arith.constant dense<[33, 67, 101, -121, 33, 67, 101, -121, 33, 67, 101, -121, 33, 67, 101, -121, 16, 50, 84, 118, 16, 50, 84, 118, 16, 50, 84, 118, 16, 50, 84, -10]> : tensor<32xi8>
// CHECK: bufferization.to_buffer %[[D]] read_only : tensor<32xi8> to memref<32xi8>
func.func @dense_i4(%x: tensor<1x32xf16>) -> (tensor<1x2xf16>, tensor<1x2xf16>) {
  %s = arith.constant dense<-3> : tensor<2x32xi4>
  %a = lowbit.dequant_matmul %x, %s as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<2x1xf32>) : tensor<1x32xf16>, tensor<2x32xi4> -> tensor<1x2xf16>
  %d = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, -8, 1, 2, 3, 4, 5, 6, 7, -8, 1, 2, 3, 4, 5, 6, 7, -8, 1, 2, 3, 4, 5, 6, 7, -8], [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, -1]]> : tensor<2x32xi4>
  %b = lowbit.dequant_matmul %x, %d as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<2x1xf32>) : tensor<1x32xf16>, tensor<2x32xi4> -> tensor<1x2xf16>
  return %a, %b : tensor<1x2xf16>, tensor<1x2xf16>
}

// -----

// M = 32 is above max-m: the tensor-core kernel. One warp per 16 x 32 tile
// of y (four n8 tiles), four warps per block along N, one block row per 16
// rows: a 1 x 2 grid here. Per k16 step the lane loads its A registers
// (rows g, g + 8; columns 2t, 2t + 8 of x, g = lane / 4, t = lane % 4) and,
// per n8 tile, its B registers: one byte holds the codes k, k + 1 of
// weight row n0 + 8 j + g, decoded and scaled (group 16: one scale per
// register) in f32 and rounded to f16; four nvgpu.mma.sync accumulate in
// f32. The epilogue stores each lane's C registers with the bias.
// CHECK-LABEL: func.func @mma_i4(
// CHECK: %[[W:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<512xi8> to memref<512xi8>
// CHECK: %[[X:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<32x32xf16> to memref<32x32xf16>
// CHECK: %[[B:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<32xf16> to memref<32xf16>
// CHECK: %[[Y:.*]] = memref.alloc() : memref<32x32xf16>
// CHECK: arith.constant 1 : index
// CHECK-NEXT: %[[GX:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[GY:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[T:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[GX]], %{{.*}} = %[[GY]], %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[T]],
// CHECK: %[[LANE:.*]] = arith.remui %[[TX]], %{{.*}} : index
// CHECK: %[[G:.*]] = arith.divui %[[LANE]], %{{.*}} : index
// CHECK: %[[T4:.*]] = arith.remui %[[LANE]], %{{.*}} : index
// CHECK: %[[T2:.*]] = arith.muli %[[T4]], %{{.*}} : index
// CHECK: %[[M0:.*]] = arith.muli %[[BY]], %{{.*}} : index
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK: %[[ROWLO:.*]] = arith.addi %[[M0]], %[[G]] : index
// CHECK: %[[ROWHI:.*]] = arith.addi %[[ROWLO]], %{{.*}} : index
// CHECK: scf.if
// CHECK: scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>) {
// CHECK: %[[KLO:.*]] = arith.addi %[[K0]], %[[T2]] : index
// CHECK: vector.load %[[X]][%[[ROWLO]], %[[KLO]]] {alignment = 4 : i64} : memref<32x32xf16>, vector<2xf16>
// CHECK: vector.insert %{{.*}} [0] : vector<2xf16> into vector<4x2xf16>
// CHECK: vector.load %[[X]][%[[ROWHI]], %[[KLO]]]
// CHECK: %[[A:.*]] = vector.insert %{{.*}} [3] : vector<2xf16> into vector<4x2xf16>
// CHECK: vector.load %[[W]][%{{.*}}] {alignment = 1 : i64} : memref<512xi8>, vector<1xi8>
// CHECK: vector.interleave %{{.*}}, %{{.*}} : vector<1xi32> -> vector<2xi32>
// CHECK: arith.sitofp %{{.*}} : vector<2xi32> to vector<2xf32>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK: arith.truncf %{{.*}} : vector<2xf32> to vector<2xf16>
// CHECK: %[[BREG:.*]] = vector.insert %{{.*}} [1] : vector<2xf16> into vector<2x2xf16>
// CHECK: nvgpu.mma.sync(%[[A]], %[[BREG]], %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-3: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: memref.load %[[B]]
// CHECK: vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}}, %[[Y]][%[[ROWLO]], %{{.*}}] : memref<32x32xf16>
// CHECK: vector.extract %{{.*}}[1, 0] : f32 from vector<2x2xf32>
// CHECK: memref.store %{{.*}}, %[[Y]][%[[ROWHI]], %{{.*}}] : memref<32x32xf16>
// CHECK-COUNT-14: memref.store
// CHECK-NOT: memref.store
// CHECK: gpu.terminator
// OFF-LABEL: func.func @mma_i4(
// OFF: lowbit.dequant_matmul
func.func @mma_i4(%x: tensor<32x32xf16>, %b: tensor<32xf16>) -> tensor<32x32xf16> {
  %w = arith.constant dense_resource<w32> : tensor<32x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 16, axis = 1, scale = f16> scales(dense<0.5> : tensor<32x2xf16>) bias(%b : tensor<32xf16>) : tensor<32x32xf16>, tensor<32x32xi4> -> tensor<32x32xf16>
  return %y : tensor<32x32xf16>
}

{-#
  dialect_resources: { builtin: {
    w32: "0x040000002121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}

// -----

// Shapes and layouts neither kernel handles keep the generic lowering (no
// gpu.launch): M = 17 is above max-m and not a multiple of 16 (tensor
// cores); K = 40 is not a
// multiple of the 16 int8 codes in 16 bytes; a group of 16 splits a 16-byte
// chunk between two scales; 4-bit codes in a tensor argument are one code
// per byte, not packed; a batched matmul.
// CHECK-LABEL: func.func @not_gemv(
// CHECK-NOT: gpu.launch
// CHECK-COUNT-5: lowbit.dequant_matmul
// CHECK-NOT: gpu.launch
func.func @not_gemv(%x17: tensor<17x32xf16>, %x40: tensor<1x40xf16>, %x: tensor<1x32xf16>, %w4: tensor<4x32xi4>, %xb: tensor<2x1x32xf16>, %wb: tensor<2x4x32xi8>) -> (tensor<17x4xf16>, tensor<1x4xf16>, tensor<1x4xf16>, tensor<1x4xf16>, tensor<2x1x4xf16>) {
  %w = arith.constant dense_resource<w4> : tensor<4x32xi4>
  %w40 = arith.constant dense<1> : tensor<4x40xi8>
  %a = lowbit.dequant_matmul %x17, %w as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x1xf32>) : tensor<17x32xf16>, tensor<4x32xi4> -> tensor<17x4xf16>
  %b = lowbit.dequant_matmul %x40, %w40 as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<4xf32>) : tensor<1x40xf16>, tensor<4x40xi8> -> tensor<1x4xf16>
  %c = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 16, axis = 1> scales(dense<0.5> : tensor<4x2xf32>) : tensor<1x32xf16>, tensor<4x32xi4> -> tensor<1x4xf16>
  %d = lowbit.dequant_matmul %x, %w4 as #lowbit.scheme<i4, group = 32, axis = 1> scales(dense<0.5> : tensor<4x1xf32>) : tensor<1x32xf16>, tensor<4x32xi4> -> tensor<1x4xf16>
  %e = lowbit.dequant_matmul %xb, %wb as #lowbit.scheme<i8, axis = 1> scales(dense<0.5> : tensor<4xf32>) : tensor<2x1x32xf16>, tensor<2x4x32xi8> -> tensor<2x1x4xf16>
  return %a, %b, %c, %d, %e : tensor<17x4xf16>, tensor<1x4xf16>, tensor<1x4xf16>, tensor<1x4xf16>, tensor<2x1x4xf16>
}

{-#
  dialect_resources: { builtin: {
    w4: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
  } }
#-}
