// lowbit-cpu-kernels: the scf/vector kernel a dequant_matmul becomes.
// (gemm=false: the streaming kernel alone, also for the dynamic row counts
// that would otherwise carry the decode-then-GEMM kernel of
// cpu-kernels-gemm.mlir too.)
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=2 cols=1 repack=false gemm=false" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=2 cols=1 fma=false repack=false gemm=false" | FileCheck %s --check-prefix=NOFMA
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=1 cols=2 repack=false gemm=false" | FileCheck %s --check-prefix=COLS
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 rows=1 cols=1 repack=false gemm=false" | FileCheck %s --check-prefix=W4

// Packed i4, groups of 32, f16 scales: 4 tasks of 2 columns (N = 8), rows in
// blocks of 2 then one by one; a step reads 8 bytes (16 codes), splits low
// (even k) and high (odd k) nibbles, and the activations into even and odd
// lanes; the scale multiplies each group's partial sums; the lanes are
// summed by a fixed tree of halves.
// CHECK-LABEL: func.func @i4_group(
// CHECK-SAME: %[[X:.*]]: tensor<?x64xf32>
// CHECK: %[[BYTES:.*]] = arith.constant dense_resource<w.q> : tensor<256xi8>
// CHECK: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<8x2xf16>
// CHECK: %[[M:.*]] = tensor.dim %[[X]]
// Once per call, each step of 16 activations is stored as [even k, odd k].
// CHECK: %[[SPLIT:.*]] = scf.for %[[R:.*]] = %{{.*}} to %[[M]]
// CHECK: %[[XV:.*]] = vector.transfer_read %[[X]][%[[R]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x64xf32>, vector<16xf32>
// CHECK: %[[XE:.*]] = vector.shuffle %[[XV]], %[[XV]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK: %[[XO:.*]] = vector.shuffle %[[XV]], %[[XV]] [1, 3, 5, 7, 9, 11, 13, 15]
// CHECK: vector.transfer_write %[[XE]]
// CHECK: vector.transfer_write %[[XO]]
// CHECK: scf.forall (%[[B:.*]]) in (%{{.*}}) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<?x8xf32>)
// CHECK: tensor.extract_slice %[[OUT]][0, %{{.*}}] [%[[M]], 2] [1, 1]
// CHECK: scf.for
// Two rows: two accumulators per group, four partial sums per step.
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>)
// CHECK: scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: %[[W:.*]] = vector.transfer_read %[[BYTES]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<256xi8>, vector<8xi8>
// CHECK: %[[SHL:.*]] = arith.shli %[[W]], %[[FOUR:.*]] : vector<8xi8>
// CHECK: %[[LO:.*]] = arith.shrsi %[[SHL]], %[[FOUR]] : vector<8xi8>
// CHECK: %[[HI:.*]] = arith.shrsi %[[W]], %[[FOUR]] : vector<8xi8>
// CHECK: %[[LOF:.*]] = arith.sitofp %[[LO]] : vector<8xi8> to vector<8xf32>
// CHECK: %[[HIF:.*]] = arith.sitofp %[[HI]] : vector<8xi8> to vector<8xf32>
// CHECK: %[[XEV:.*]] = vector.transfer_read %[[SPLIT]][%{{.*}}, %[[K0:.*]]], %{{.*}} {in_bounds = [true]} : tensor<?x64xf32>, vector<8xf32>
// CHECK: %[[XOV:.*]] = vector.transfer_read %[[SPLIT]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x64xf32>, vector<8xf32>
// CHECK: vector.fma %[[XEV]], %[[LOF]], %{{.*}} : vector<8xf32>
// CHECK: vector.fma %[[XOV]], %[[HIF]], %{{.*}} : vector<8xf32>
// CHECK: %[[SC:.*]] = tensor.extract %[[S]][%{{.*}}, %{{.*}}] : tensor<8x2xf16>
// CHECK: %[[SF:.*]] = arith.extf %[[SC]] : f16 to f32
// CHECK: %[[SV:.*]] = vector.broadcast %[[SF]] : f32 to vector<8xf32>
// CHECK: %[[P:.*]] = arith.addf
// CHECK: vector.fma %[[P]], %[[SV]], %{{.*}} : vector<8xf32>
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [4], strides = [1]}
// CHECK: vector.extract_strided_slice %{{.*}} {offsets = [4], sizes = [4], strides = [1]}
// CHECK: vector.extract %{{.*}}[0] : f32 from vector<1xf32>
// CHECK: tensor.insert
// CHECK: tensor.parallel_insert_slice
// Two weight rows per step: both are decoded, then each activation vector
// meets both.
// COLS-LABEL: func.func @i4_group(
// COLS: vector.transfer_read %{{.*}} : tensor<256xi8>, vector<8xi8>
// COLS: vector.transfer_read %{{.*}} : tensor<256xi8>, vector<8xi8>
// COLS: %[[XE:.*]] = vector.transfer_read %{{.*}} : tensor<?x64xf32>, vector<8xf32>
// COLS: %[[XO:.*]] = vector.transfer_read %{{.*}} : tensor<?x64xf32>, vector<8xf32>
// COLS: vector.fma %[[XE]]
// COLS: vector.fma %[[XO]]
// COLS: vector.fma %[[XE]]
// COLS: vector.fma %[[XO]]
// NOFMA-LABEL: func.func @i4_group(
// NOFMA-NOT: vector.fma
// NOFMA: arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
func.func @i4_group(%x: tensor<?x64xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<8x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<8x2xf16>) : tensor<?x64xf32>, tensor<8x64xi4> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w.q: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
    }
  }
#-}

// -----

// u8 affine per channel with a bias: one vector of codes per step (uitofp),
// minus the row's zero-point; the bias is added after the lane sum.
// CHECK-LABEL: func.func @u8_affine_bias(
// CHECK-SAME: %[[X:.*]]: tensor<3x16xf32>, %[[BIAS:.*]]: tensor<4xf32>
// CHECK: %[[ZP:.*]] = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
// CHECK: %[[Z:.*]] = tensor.extract %[[ZP]][%[[N:.*]]] : tensor<4xi32>
// CHECK: %[[ZF:.*]] = arith.sitofp %[[Z]] : i32 to f32
// CHECK: %[[ZV:.*]] = vector.broadcast %[[ZF]] : f32 to vector<8xf32>
// CHECK: %[[C:.*]] = vector.transfer_read %{{.*}}[%[[N]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<4x16xi8>, vector<8xi8>
// CHECK: %[[CF:.*]] = arith.uitofp %[[C]] : vector<8xi8> to vector<8xf32>
// CHECK: arith.subf %[[CF]], %[[ZV]] : vector<8xf32>
// CHECK: %[[B:.*]] = tensor.extract %[[BIAS]][%[[N]]] : tensor<4xf32>
// CHECK: arith.addf %{{.*}}, %[[B]] : f32
// CHECK: %[[Y:.*]] = tensor.cast %{{.*}} : tensor<?x4xf32> to tensor<3x4xf32>
// CHECK: return %[[Y]]
func.func @u8_affine_bias(%x: tensor<3x16xf32>, %bias: tensor<4xf32>) -> tensor<3x4xf32> {
  %w = arith.constant dense<7> : tensor<4x16xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u8, axis = 0, affine> scales(dense<0.25> : tensor<4xf32>) zero_points(dense<[1, 2, 3, 4]> : tensor<4xi32>) bias(%bias : tensor<4xf32>) : tensor<3x16xf32>, tensor<4x16xi8> -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// NF4, groups of 32: the packed path of i4 (low nibbles for even k, high
// for odd k), each nibble vector decoded by lookups in constant table
// vectors (lane extracts at variable positions, which x86 LLVM turns into
// vpermps): at 8 lanes both halves of the 16 levels by the low 3 bits, bit
// 3 selecting; no sitofp.
// CHECK-LABEL: func.func @nf4_group(
// CHECK: %[[BYTES:.*]] = arith.constant dense_resource<w.q> : tensor<256xi8>
// CHECK: scf.forall
// CHECK: %[[W:.*]] = vector.transfer_read %[[BYTES]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<256xi8>, vector<8xi8>
// CHECK: %[[LO:.*]] = arith.andi %[[W]], %{{.*}} : vector<8xi8>
// CHECK: %[[HI:.*]] = arith.shrui %[[W]], %{{.*}} : vector<8xi8>
// CHECK: %[[LOW3:.*]] = arith.andi %[[LO]], %{{.*}} : vector<8xi8>
// CHECK: %[[BIT3:.*]] = arith.andi %[[LO]], %{{.*}} : vector<8xi8>
// CHECK: %[[UPPER:.*]] = arith.cmpi ne, %[[BIT3]], %{{.*}} : vector<8xi8>
// CHECK: %[[TH:.*]] = arith.constant dense<[0.0795802995, 0.160930201, 0.246112302, 0.337915242, 0.440709829, 5.626170e-01, 0.722956836, 1.000000e+00]> : vector<8xf32>
// CHECK: %[[I0:.*]] = vector.extract %[[LOW3]][0] : i8 from vector<8xi8>
// CHECK: %[[X0:.*]] = arith.index_castui %[[I0]] : i8 to index
// CHECK: vector.extract %[[TH]][%[[X0]]] : f32 from vector<8xf32>
// CHECK: %[[VH:.*]] = vector.from_elements {{.*}} : vector<8xf32>
// CHECK: %[[TL:.*]] = arith.constant dense<[-1.000000e+00, -0.6961928, -0.525073051, -0.394917488, -0.284441382, -0.18477343, -0.0910500362, 0.000000e+00]> : vector<8xf32>
// CHECK: %[[VL:.*]] = vector.from_elements {{.*}} : vector<8xf32>
// CHECK: %[[LOF:.*]] = arith.select %[[UPPER]], %[[VH]], %[[VL]] : vector<8xi1>, vector<8xf32>
// CHECK: arith.andi %[[HI]]
// CHECK-NOT: arith.sitofp
// CHECK: vector.fma %{{.*}}, %[[LOF]], %{{.*}} : vector<8xf32>
// At 4 lanes (the x86-64 baseline has no variable permute): a tree of
// selects over the 16 levels (bit 0 picks within pairs, then bits 1, 2, 3):
// 8 + 4 + 2 + 1 selects of splat constants.
// W4-LABEL: func.func @nf4_group(
// W4: %[[LO:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<4xi8>
// W4: %[[HI:.*]] = arith.shrui
// W4: %[[L0:.*]] = arith.constant dense<-1.000000e+00> : vector<4xf32>
// W4: %[[L1:.*]] = arith.constant dense<-0.6961928> : vector<4xf32>
// W4: %[[L15:.*]] = arith.constant dense<1.000000e+00> : vector<4xf32>
// W4: %[[B0:.*]] = arith.andi %[[LO]], %{{.*}} : vector<4xi8>
// W4: %[[S0:.*]] = arith.cmpi ne, %[[B0]], %{{.*}} : vector<4xi8>
// W4: arith.select %[[S0]], %[[L1]], %[[L0]] : vector<4xi1>, vector<4xf32>
// W4-COUNT-7: arith.select %[[S0]]
// W4: arith.andi %[[LO]]
// W4-COUNT-4: arith.select
// W4: arith.andi %[[LO]]
// W4-COUNT-2: arith.select
// W4: arith.andi %[[LO]]
// W4: %[[LOF:.*]] = arith.select
// W4: arith.andi %[[HI]]
// W4-NOT: arith.sitofp
// W4: vector.fma %{{.*}}, %[[LOF]], %{{.*}} : vector<4xf32>
func.func @nf4_group(%x: tensor<?x64xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<8x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, group = 32, axis = 1> scales(dense<0.5> : tensor<8x2xf32>) : tensor<?x64xf32>, tensor<8x64xi4> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w.q: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
    }
  }
#-}

// -----

// FP8 E4M3FN per channel: the codes are the bytes of the resource, read at
// n * K + k0. With 8 lanes or more, through f16 (vcvtph2ps): the sign, and
// exponent and mantissa moved down one bit ((sext << 7) & 0xBF80), make an
// f16 of value * 2^-8 (subnormals included); the 2^8 goes to the scale,
// read times 256 once per group. These codes hold 0x7F and 0xFF, so
// magnitude 0x7F is selected as NaN.
// CHECK-LABEL: func.func @e4m3_channel(
// CHECK: %[[BYTES:.*]] = arith.constant dense_resource<w.q> : tensor<128xi8>
// CHECK: scf.forall
// CHECK: %[[W:.*]] = vector.transfer_read %[[BYTES]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<128xi8>, vector<8xi8>
// CHECK: %[[WIDE:.*]] = arith.extsi %[[W]] : vector<8xi8> to vector<8xi16>
// CHECK: %[[SEVEN:.*]] = arith.constant dense<7> : vector<8xi16>
// CHECK: %[[SHL:.*]] = arith.shli %[[WIDE]], %[[SEVEN]] : vector<8xi16>
// CHECK: %[[MASK:.*]] = arith.constant dense<-16512> : vector<8xi16>
// CHECK: %[[BITS:.*]] = arith.andi %[[SHL]], %[[MASK]] : vector<8xi16>
// CHECK: %[[HALF:.*]] = arith.bitcast %[[BITS]] : vector<8xi16> to vector<8xf16>
// CHECK: %[[EXT:.*]] = arith.extf %[[HALF]] : vector<8xf16> to vector<8xf32>
// CHECK-NEXT: %[[MAGMASK:.*]] = arith.constant dense<16256> : vector<8xi16>
// CHECK-NEXT: %[[MAG:.*]] = arith.andi %[[BITS]], %[[MAGMASK]] : vector<8xi16>
// CHECK: %[[ISNAN:.*]] = arith.cmpi eq, %[[MAG]], %{{.*}} : vector<8xi16>
// CHECK: %[[NAN:.*]] = arith.constant dense<0x7FC00000> : vector<8xf32>
// CHECK: %[[DEC:.*]] = arith.select %[[ISNAN]], %[[NAN]], %[[EXT]] : vector<8xi1>, vector<8xf32>
// CHECK: %[[SUM:.*]] = vector.fma %{{.*}}, %[[DEC]], %{{.*}} : vector<8xf32>
// CHECK: scf.yield %[[SUM]],
// CHECK: %[[S:.*]] = tensor.extract %{{.*}} : tensor<4xf32>
// CHECK-NEXT: %[[TWO8:.*]] = arith.constant 2.560000e+02 : f32
// CHECK-NEXT: %[[S256:.*]] = arith.mulf %[[S]], %[[TWO8]] : f32
// CHECK-NEXT: %[[SV:.*]] = vector.broadcast %[[S256]] : f32 to vector<8xf32>
// CHECK-NEXT: vector.fma %{{.*}}, %[[SV]], %{{.*}} : vector<8xf32>
// At 4 lanes (no F16C on the x86-64 baseline), on i32 lanes: the fields
// moved into an f32 (magnitude << 20, exponent bias 127 - 7 added);
// subnormals (magnitude < 8) as magnitude * 2^-9; magnitude 0x7F is NaN;
// the sign bit ORed in last.
// W4-LABEL: func.func @e4m3_channel(
// W4: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<128xi8>, vector<4xi8>
// W4: %[[WIDE:.*]] = arith.extsi %[[W]] : vector<4xi8> to vector<4xi32>
// W4: %[[MAG:.*]] = arith.andi %[[WIDE]], %{{.*}} : vector<4xi32>
// W4: %[[SIGNMASK:.*]] = arith.constant dense<-2147483648> : vector<4xi32>
// W4: %[[SIGN:.*]] = arith.andi %[[WIDE]], %[[SIGNMASK]] : vector<4xi32>
// W4: %[[TWENTY:.*]] = arith.constant dense<20> : vector<4xi32>
// W4: %[[SHL:.*]] = arith.shli %[[MAG]], %[[TWENTY]] : vector<4xi32>
// W4: %[[BIAS:.*]] = arith.constant dense<1006632960> : vector<4xi32>
// W4: %[[NB:.*]] = arith.addi %[[SHL]], %[[BIAS]] : vector<4xi32>
// W4: %[[NORMAL:.*]] = arith.bitcast %[[NB]] : vector<4xi32> to vector<4xf32>
// W4: %[[MF:.*]] = arith.uitofp %[[MAG]] : vector<4xi32> to vector<4xf32>
// W4: %[[TINY:.*]] = arith.constant dense<0.001953125> : vector<4xf32>
// W4: %[[SUB:.*]] = arith.mulf %[[MF]], %[[TINY]] : vector<4xf32>
// W4: %[[EIGHT:.*]] = arith.constant dense<8> : vector<4xi32>
// W4: %[[ISSUB:.*]] = arith.cmpi ult, %[[MAG]], %[[EIGHT]] : vector<4xi32>
// W4: %[[V:.*]] = arith.select %[[ISSUB]], %[[SUB]], %[[NORMAL]]
// W4: %[[NAN:.*]] = arith.constant dense<0x7FC00000> : vector<4xf32>
// W4: %[[ALL:.*]] = arith.constant dense<127> : vector<4xi32>
// W4: %[[ISNAN:.*]] = arith.cmpi eq, %[[MAG]], %[[ALL]] : vector<4xi32>
// W4: %[[V2:.*]] = arith.select %[[ISNAN]], %[[NAN]], %[[V]]
// W4: %[[VB:.*]] = arith.bitcast %[[V2]] : vector<4xf32> to vector<4xi32>
// W4: %[[OR:.*]] = arith.ori %[[VB]], %[[SIGN]] : vector<4xi32>
// W4: %[[DEC:.*]] = arith.bitcast %[[OR]] : vector<4xi32> to vector<4xf32>
// W4: vector.fma %{{.*}}, %[[DEC]], %{{.*}} : vector<4xf32>
func.func @e4m3_channel(%x: tensor<?x32xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<4x32xf8E4M3FN>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<4xf32>) : tensor<?x32xf32>, tensor<4x32xf8E4M3FN> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w.q: "0x04000000000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE000108387E7F80FE"
    }
  }
#-}

// -----

// E4M3FN codes without the NaN code (no 0x7F or 0xFF in the constant):
// no compare or select, the converted f16 goes straight into the FMA. A
// scale of 2^120 would overflow times 2^8, so the second op keeps it and
// scales each decoded vector back by 256 instead.
// CHECK-LABEL: func.func @e4m3_no_nan(
// CHECK: %[[EXT:.*]] = arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK-NOT: arith.select
// CHECK: vector.fma %{{.*}}, %[[EXT]], %{{.*}} : vector<8xf32>
// CHECK: %[[S:.*]] = tensor.extract %{{.*}} : tensor<4xf32>
// CHECK-NEXT: arith.constant 2.560000e+02 : f32
// CHECK-NEXT: arith.mulf %[[S]]
// CHECK: scf.forall
// CHECK: %[[EXT2:.*]] = arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// CHECK-NEXT: %[[TWO8:.*]] = arith.constant dense<2.560000e+02> : vector<8xf32>
// CHECK-NEXT: %[[V2:.*]] = arith.mulf %[[EXT2]], %[[TWO8]] : vector<8xf32>
// CHECK-NOT: arith.select
// CHECK: vector.fma %{{.*}}, %[[V2]], %{{.*}} : vector<8xf32>
// CHECK: %[[S2:.*]] = tensor.extract %{{.*}} : tensor<4xf32>
// CHECK-NEXT: %[[SV2:.*]] = vector.broadcast %[[S2]] : f32 to vector<8xf32>
// CHECK-NEXT: vector.fma %{{.*}}, %[[SV2]], %{{.*}} : vector<8xf32>
func.func @e4m3_no_nan(%x: tensor<?x32xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %w = arith.constant dense_resource<w.q> : tensor<4x32xf8E4M3FN>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<[0.5, 0.25, 2.0, 1.0e+30]> : tensor<4xf32>) : tensor<?x32xf32>, tensor<4x32xf8E4M3FN> -> tensor<?x4xf32>
  %y2 = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<[0.5, 0.25, 2.0, 0x7B800000]> : tensor<4xf32>) : tensor<?x32xf32>, tensor<4x32xf8E4M3FN> -> tensor<?x4xf32>
  return %y, %y2 : tensor<?x4xf32>, tensor<?x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w.q: "0x04000000000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE000108387E7E80FE"
    }
  }
#-}

// -----

// Not rewritten (left to lowbit-lower-to-linalg): FP8 codes that are not
// a constant (the kernel reads them as bytes of a dense_resource), and
// K = 40 is not a multiple of the 16-code step of packed i4.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: scf.forall
// CHECK: lowbit.dequant_matmul
// CHECK: lowbit.dequant_matmul
func.func @left_alone(%x: tensor<2x64xf32>, %w: tensor<8x64xf8E4M3FN>, %x2: tensor<2x40xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<8xf32>) : tensor<2x64xf32>, tensor<8x64xf8E4M3FN> -> tensor<2x8xf32>
  %w2 = arith.constant dense_resource<w2.q> : tensor<8x40xi4>
  %y2 = lowbit.dequant_matmul %x2, %w2 as #lowbit.scheme<i4, axis = 0> scales(dense<0.5> : tensor<8xf32>) : tensor<2x40xf32>, tensor<8x40xi4> -> tensor<2x8xf32>
  return %y, %y2 : tensor<2x8xf32>, tensor<2x8xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w2.q: "0x0400000021212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121212121"
    }
  }
#-}

// -----

// A plain f32 linalg.matmul keeps its body but runs its loops as (m, k, n):
// the innermost loop walks rows of w and y.
// CHECK-DAG: #[[XM:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[WM:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[YM:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @f32_matmul(
// CHECK: linalg.generic {indexing_maps = [#[[XM]], #[[WM]], #[[YM]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @f32_matmul(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %a = linalg.fill ins(%z : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%a : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A float matmul with a constant [K, N] weight and a zero accumulator: the
// weight is transposed at compile time into a new [N, K] resource constant
// (row n holds column n: [1, 2, ...] -> rows [1, 3, ..], [2, 4, ..]) and
// streamed by the kernel, f32 vectors straight from the weight rows.
// CHECK-LABEL: func.func @f32_constant_weight(
// CHECK-SAME: %[[X:.*]]: tensor<?x16xf32>
// CHECK: %[[WT:.*]] = arith.constant dense_resource<lowbit.weight_nk> : tensor<2x16xf32>
// CHECK: scf.forall
// CHECK: %[[WV:.*]] = vector.transfer_read %[[WT]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x16xf32>, vector<8xf32>
// CHECK: %[[XV:.*]] = vector.transfer_read %[[X]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x16xf32>, vector<8xf32>
// CHECK: vector.fma %[[XV]], %[[WV]]
// CHECK-NOT: linalg.matmul
// CHECK: lowbit.weight_nk: "0x08000000
// CHECK-SAME: 0000803F00004040
func.func @f32_constant_weight(%x: tensor<?x16xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x16xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0], [11.0, 12.0], [13.0, 14.0], [15.0, 16.0], [17.0, 18.0], [19.0, 20.0], [21.0, 22.0], [23.0, 24.0], [25.0, 26.0], [27.0, 28.0], [29.0, 30.0], [31.0, 32.0]]> : tensor<16x2xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x2xf32>
  %a = linalg.fill ins(%z : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x2xf32>) outs(%a : tensor<?x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Long K (2048): the float kernel reads K in blocks of 1024 (outermost in each
// task, so that the slices of the weight rows a step reads stay in L1); y
// starts at zero and each block's lane sums are added to it.
// CHECK-LABEL: func.func @f32_k_blocks(
// CHECK: %[[WT:.*]] = arith.constant dense_resource<lowbit.weight_nk> : tensor<1x2048xf32>
// CHECK: %[[Y0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x1xf32>)
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %[[Y0]])
// CHECK: %[[TILE:.*]] = tensor.extract_slice
// CHECK: scf.for %[[KB:[^ ]*]] = %{{[^ ]*}} to %c2{{[_0-9]*}} step %{{[^ ]*}} iter_args(%{{[^ ]*}} = %[[TILE]])
// CHECK: %[[END:.*]] = arith.addi %[[KB]], %{{.*}} : index
// CHECK: scf.for %[[G:.*]] = %[[KB]] to %[[END]] step
// CHECK: %[[K0:.*]] = arith.muli %[[G]], %{{.*}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: vector.transfer_read %[[WT]]
// CHECK: %[[SUM:.*]] = vector.extract %{{.*}}[0] : f32 from vector<1xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<?x1xf32>
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK: tensor.insert %[[NEW]]
func.func @f32_k_blocks(%x: tensor<?x2048xf32>) -> tensor<?x1xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x2048xf32>
  %w = arith.constant dense<0.5> : tensor<2048x1xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x1xf32>
  %a = linalg.fill ins(%z : f32) outs(%e : tensor<?x1xf32>) -> tensor<?x1xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x2048xf32>, tensor<2048x1xf32>) outs(%a : tensor<?x1xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
