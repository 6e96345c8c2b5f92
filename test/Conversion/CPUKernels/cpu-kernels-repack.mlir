// lowbit-cpu-kernels' offline repacking of constant 4-bit weights into lane
// words (interleaveNibblesForLanes, lib/Quant/Packing.cpp): for VL lanes,
// each step of 8 * VL codes of a weight row becomes VL 32-bit words, word l
// holding in nibble j the code of column k0 + j * VL + l. The kernel loads a
// step with one vector read and takes nibble j of every lane as the codes of
// VL consecutive columns, so the activations are read as they are.
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 rows=1 cols=1" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=16 rows=1 cols=1" | FileCheck %s --check-prefix=W16
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=1 cols=1" | FileCheck %s --check-prefix=W8
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 rows=1 cols=1 repack=false" | FileCheck %s --check-prefix=BYTES
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=4 cols=1" | FileCheck %s --check-prefix=SCALED
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=16 rows=2 cols=1" | FileCheck %s --check-prefix=TABLES

// i4, K = 32, groups of 16, 4 lanes: one step (32 codes) holds two groups.
// Row 0 has codes k % 16 - 8 (bytes 0x98, 0xBA, ...), row 1 all -1. Word l
// of row 0 holds the codes of columns l, 4 + l, ..., 28 + l: nibbles
// (4j + l) % 16 - 8 in two's complement, word 0 = 0x40C840C8 (stored
// little-endian: C8 40 C8 40).
// CHECK-LABEL: func.func @i4_two_groups_per_step(
// CHECK-SAME: %[[X:.*]]: tensor<?x32xf32>
// CHECK: %[[WORDS:.*]] = arith.constant dense_resource<w.q.2x32.lanes4> : tensor<8xi32>
// CHECK: %[[S:.*]] = arith.constant dense<{{.*}}> : tensor<2x2xf32>
// No reordering of the activations.
// CHECK-NOT: vector.shuffle
// One block per step; its two groups (block * 2 + 0, + 1) one after the
// other.
// CHECK: scf.for %[[BLOCK:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<4xf32>)
// CHECK: %[[KSTART:.*]] = arith.muli %[[BLOCK]], %{{.*}} : index
// CHECK: %[[G0:.*]] = arith.muli %[[BLOCK]], %{{.*}} : index
// Word (n * K + k0) / 8: one load of 4 words; nibble j sign-extended by
// << (28 - 4j), >> 28 (arithmetic), converted, and multiplied with the
// activations x[m, k0 + 4j .. k0 + 4j + 3], read in place; two chains.
// CHECK: %[[W:.*]] = vector.transfer_read %[[WORDS]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<8xi32>, vector<4xi32>
// CHECK: %[[C28:.*]] = arith.constant dense<28> : vector<4xi32>
// CHECK: %[[SH0:.*]] = arith.shli %[[W]], %[[C28]] : vector<4xi32>
// CHECK: %[[N0:.*]] = arith.shrsi %[[SH0]], %{{.*}} : vector<4xi32>
// CHECK: %[[V0:.*]] = arith.sitofp %[[N0]] : vector<4xi32> to vector<4xf32>
// CHECK: %[[X0:.*]] = vector.transfer_read %[[X]][%[[M:.*]], %[[KSTART]]], %{{.*}} : tensor<?x32xf32>, vector<4xf32>
// CHECK: %[[P0:.*]] = vector.fma %[[X0]], %[[V0]], %[[ZERO:[^ ]*]] : vector<4xf32>
// CHECK: arith.constant dense<24> : vector<4xi32>
// CHECK: %[[SH1:.*]] = arith.shli %[[W]]
// CHECK: %[[N1:.*]] = arith.shrsi %[[SH1]]
// CHECK: %[[V1:.*]] = arith.sitofp %[[N1]]
// CHECK: %[[K1:.*]] = arith.addi %[[KSTART]], %{{.*}} : index
// CHECK: %[[X1:.*]] = vector.transfer_read %[[X]][%[[M]], %[[K1]]]
// CHECK: %[[P1:.*]] = vector.fma %[[X1]], %[[V1]], %[[ZERO]] : vector<4xf32>
// CHECK: %[[P2:.*]] = vector.fma %{{.*}}, %{{.*}}, %[[P0]]
// CHECK: %[[P3:.*]] = vector.fma %{{.*}}, %{{.*}}, %[[P1]]
// Group 0's sum times its scale, then group 1 (nibbles 4-7).
// CHECK: %[[S0:.*]] = tensor.extract %[[S]][%{{.*}}, %[[G0]]]
// CHECK: %[[S0V:.*]] = vector.broadcast %[[S0]]
// CHECK: %[[SUM0:.*]] = arith.addf %[[P2]], %[[P3]] : vector<4xf32>
// CHECK: %[[ACC0:.*]] = vector.fma %[[SUM0]], %[[S0V]], %[[ACC]]
// CHECK: %[[G1:.*]] = arith.addi %[[G0]], %{{.*}} : index
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK: vector.fma
// Nibble 7 needs only the arithmetic shift.
// CHECK: %[[N7:.*]] = arith.shrsi %[[W]], %{{.*}} : vector<4xi32>
// CHECK: %[[V7:.*]] = arith.sitofp %[[N7]]
// CHECK: %[[P7:.*]] = vector.fma %{{.*}}, %[[V7]], %{{.*}}
// CHECK: %[[S1:.*]] = tensor.extract %[[S]][%{{.*}}, %[[G1]]]
// CHECK: %[[S1V:.*]] = vector.broadcast %[[S1]]
// CHECK: %[[SUM1:.*]] = arith.addf %{{.*}}, %[[P7]] : vector<4xf32>
// CHECK: %[[ACC1:.*]] = vector.fma %[[SUM1]], %[[S1V]], %[[ACC0]]
// CHECK: scf.yield %[[ACC1]]
// The lane words next to the original bytes (which canonicalization drops
// once nothing reads them).
// CHECK: w.q.2x32.lanes4: "0x40000000C840C840D951D951EA62EA62FB73FB73FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

// BYTES-LABEL: func.func @i4_two_groups_per_step(
// BYTES-NOT: lanes4
// BYTES: vector<4xi8>
// BYTES: vector.shuffle
func.func @i4_two_groups_per_step(%x: tensor<?x32xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<2x32xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 16, axis = 1> scales(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>) : tensor<?x32xf32>, tensor<2x32xi4> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w.q: "0x0400000098BADCFE1032547698BADCFE10325476FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    }
  }
#-}

// -----

// With 16 lanes every 4-bit format decodes by a lookup in a 16-entry table
// (lowbit.permute16, vpermps, which reads the low 4 bits of each index: the
// shifted words need no mask), one per weight row and group holding the
// dequantized values (value - zero-point) * scale, so the products add
// straight into the sums: u4 with zero-points, K = 128 (one step of 128
// codes), groups of 32: four groups per step, each with its own
// zero-point and scale, one table each.
// W16-LABEL: func.func @u4_affine_lookup(
// W16: %[[WORDS:.*]] = arith.constant dense_resource<w.q.1x128.lanes16> : tensor<16xi32>
// W16-DAG: %[[S:.*]] = arith.constant dense<{{.*}}> : tensor<1x4xf32>
// W16-DAG: %[[Z:.*]] = arith.constant dense<{{\[\[}}1, 2, 3, 4]]> : tensor<1x4xi32>
// W16: scf.for {{.*}} iter_args(%[[SUM0:.*]] = %{{.*}}, %[[SUM1:.*]] = %{{.*}}) -> (vector<16xf32>, vector<16xf32>)
// W16: %[[W:.*]] = vector.transfer_read %[[WORDS]][%{{.*}}], %{{.*}} : tensor<16xi32>, vector<16xi32>
// Group 0: its table (0..15 - z0) * s0; nibbles 0 and 1 looked up in it.
// W16: %[[T:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, {{.*}}, 1.500000e+01]> : vector<16xf32>
// W16: %[[Z0:.*]] = tensor.extract %[[Z]]
// W16: %[[Z0F:.*]] = arith.sitofp %[[Z0]] : i32 to f32
// W16: %[[Z0V:.*]] = vector.broadcast %[[Z0F]] : f32 to vector<16xf32>
// W16: %[[T0Z:.*]] = arith.subf %[[T]], %[[Z0V]] : vector<16xf32>
// W16: %[[S0:.*]] = tensor.extract %[[S]]
// W16: %[[S0V:.*]] = vector.broadcast %[[S0]] : f32 to vector<16xf32>
// W16: %[[T0:.*]] = arith.mulf %[[T0Z]], %[[S0V]] : vector<16xf32>
// W16-NOT: arith.andi
// W16: %[[V0:.*]] = lowbit.permute16 %[[T0]], %[[W]] : vector<16xi32> -> vector<16xf32>
// W16: %[[X0:.*]] = vector.transfer_read %{{.*}} : tensor<?x128xf32>, vector<16xf32>
// W16: %[[P0:.*]] = vector.fma %[[X0]], %[[V0]], %[[SUM0]] : vector<16xf32>
// W16: %[[V1:.*]] = lowbit.permute16 %[[T0]], %{{.*}} : vector<16xi32> -> vector<16xf32>
// W16: vector.fma %{{.*}}, %[[V1]], %[[SUM1]] : vector<16xf32>
// Groups 1 and 2, then group 3 with nibbles 6 and 7.
// W16: tensor.extract %[[Z]]
// W16: tensor.extract %[[S]]
// W16: tensor.extract %[[Z]]
// W16: tensor.extract %[[S]]
// W16: tensor.extract %[[Z]]
// W16: %[[S3:.*]] = tensor.extract %[[S]]
// W16: %[[S3V:.*]] = vector.broadcast %[[S3]] : f32 to vector<16xf32>
// W16: %[[T3:.*]] = arith.mulf %{{.*}}, %[[S3V]] : vector<16xf32>
// W16: %[[C28:.*]] = arith.constant dense<28> : vector<16xi32>
// W16: %[[N7:.*]] = arith.shrui %[[W]], %[[C28]]
// W16-NOT: arith.andi
// W16: %[[V7:.*]] = lowbit.permute16 %[[T3]], %[[N7]] : vector<16xi32> -> vector<16xf32>
// W16-NOT: arith.subf
// W16: vector.fma %{{.*}}, %[[V7]], %{{.*}} : vector<16xf32>
// W16: scf.yield
// W16: w.q.1x128.lanes16: "0x40000000
func.func @u4_affine_lookup(%x: tensor<?x128xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<1x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 32, axis = 1, affine> scales(dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>) zero_points(dense<[[1, 2, 3, 4]]> : tensor<1x4xi32>) : tensor<?x128xf32>, tensor<1x128xi4> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w.q: "0x040000001032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE"
    }
  }
#-}

// -----

// NF4 per channel, 8 lanes (K = 64: one step): nibbles index the table's
// halves by their low 3 bits, bit 3 selects.
// W8-LABEL: func.func @nf4_channel_words(
// W8: %[[WORDS:.*]] = arith.constant dense_resource<w.q.1x64.lanes8> : tensor<8xi32>
// W8: %[[W:.*]] = vector.transfer_read %[[WORDS]][%{{.*}}], %{{.*}} : tensor<8xi32>, vector<8xi32>
// W8: %[[N0:.*]] = arith.andi %[[W]], %{{.*}} : vector<8xi32>
// W8: arith.andi %[[N0]], %{{.*}} : vector<8xi32>
// W8: arith.cmpi ne
// W8: vector.from_elements
// W8: vector.from_elements
// W8: arith.select
// W8-NOT: vector.shuffle
// W8: w.q.1x64.lanes8: "0x40000000
func.func @nf4_channel_words(%x: tensor<?x64xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<1x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<nf4, axis = 0> scales(dense<[0.5]> : tensor<1xf32>) : tensor<?x64xf32>, tensor<1x64xi4> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w.q: "0x040000001032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE"
    }
  }
#-}

// -----

// Groups of 16 codes at 8 lanes (AVX2: i4 decoded by shifts and
// conversion): two vectors per group, fewer than the four activation rows
// of a block, so the decoded values are scaled (one multiply per vector)
// instead of each row's sums (one per row and group).
// SCALED-LABEL: func.func @i4_g16_scaled_values(
// SCALED: %[[S:.*]] = arith.constant dense<{{.*}}> : tensor<1x8xf32>
// SCALED: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC0:.*]] = %{{.*}}, %[[ACC1:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// SCALED: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<16xi32>, vector<8xi32>
// SCALED: %[[S0:.*]] = tensor.extract %[[S]]
// SCALED: %[[S0V:.*]] = vector.broadcast %[[S0]] : f32 to vector<8xf32>
// SCALED: %[[V0:.*]] = arith.sitofp %{{.*}} : vector<8xi32> to vector<8xf32>
// SCALED: %[[W0:.*]] = arith.mulf %[[V0]], %[[S0V]] : vector<8xf32>
// SCALED: %[[X0:.*]] = vector.transfer_read %{{.*}} : tensor<?x128xf32>, vector<8xf32>
// SCALED: %[[A0:.*]] = vector.fma %[[X0]], %[[W0]], %[[ACC0]]
// SCALED: %[[X1:.*]] = vector.transfer_read %{{.*}} : tensor<?x128xf32>, vector<8xf32>
// SCALED: %[[A1:.*]] = vector.fma %[[X1]], %[[W0]], %[[ACC1]]
// SCALED: arith.mulf %{{.*}}, %[[S0V]]
// SCALED: vector.fma %{{.*}}, %{{.*}}, %[[A0]]
// SCALED: vector.fma %{{.*}}, %{{.*}}, %[[A1]]
// SCALED: tensor.extract %[[S]]
// At 16 lanes, one scaled table per group instead (one multiply per
// group), looked up for its one vector.
// TABLES-LABEL: func.func @i4_g16_scaled_values(
// TABLES: %[[S:.*]] = arith.constant dense<{{.*}}> : tensor<1x8xf32>
// TABLES: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC0:.*]] = %{{.*}}, %[[ACC1:.*]] = %{{.*}}) -> (vector<16xf32>, vector<16xf32>)
// TABLES: %[[W:.*]] = vector.transfer_read %{{.*}} : tensor<16xi32>, vector<16xi32>
// TABLES: %[[S0:.*]] = tensor.extract %[[S]]
// TABLES: %[[S0V:.*]] = vector.broadcast %[[S0]] : f32 to vector<16xf32>
// TABLES: %[[T0:.*]] = arith.mulf %{{.*}}, %[[S0V]] : vector<16xf32>
// TABLES: %[[W0:.*]] = lowbit.permute16 %[[T0]], %[[W]]
// TABLES: %[[X0:.*]] = vector.transfer_read %{{.*}} : tensor<?x128xf32>, vector<16xf32>
// TABLES: %[[A0:.*]] = vector.fma %[[X0]], %[[W0]], %[[ACC0]]
// TABLES: %[[X1:.*]] = vector.transfer_read %{{.*}} : tensor<?x128xf32>, vector<16xf32>
// TABLES: %[[A1:.*]] = vector.fma %[[X1]], %[[W0]], %[[ACC1]]
// TABLES: tensor.extract %[[S]]
// TABLES: arith.mulf
// TABLES: lowbit.permute16
// TABLES: vector.fma %{{.*}}, %{{.*}}, %[[A0]]
// TABLES: vector.fma %{{.*}}, %{{.*}}, %[[A1]]
func.func @i4_g16_scaled_values(%x: tensor<?x128xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense_resource<w.q> : tensor<1x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 16, axis = 1> scales(dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<1x8xf32>) : tensor<?x128xf32>, tensor<1x128xi4> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w.q: "0x040000001032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE"
    }
  }
#-}

// -----

// A weight read by two matmuls is repacked once: both kernels read the same
// lane-word blob.
// W8-LABEL: func.func @shared_weight(
// W8: arith.constant dense_resource<w.shared.1x64.lanes8> : tensor<8xi32>
// W8: arith.constant dense_resource<w.shared.1x64.lanes8> : tensor<8xi32>
// W8-NOT: w.shared.1x64.lanes8_
// W8: w.shared.1x64.lanes8: "0x400000008080808091919191A2A2A2A2B3B3B3B3C4C4C4C4D5D5D5D5E6E6E6E6F7F7F7F7"
// W8-NOT: w.shared.1x64.lanes8
func.func @shared_weight(%x: tensor<?x64xf32>, %x2: tensor<?x64xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>) {
  %w = arith.constant dense_resource<w.shared> : tensor<1x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, axis = 0> scales(dense<[0.5]> : tensor<1xf32>) : tensor<?x64xf32>, tensor<1x64xi4> -> tensor<?x1xf32>
  %y2 = lowbit.dequant_matmul %x2, %w as #lowbit.scheme<i4, axis = 0> scales(dense<[0.25]> : tensor<1xf32>) : tensor<?x64xf32>, tensor<1x64xi4> -> tensor<?x1xf32>
  return %y, %y2 : tensor<?x1xf32>, tensor<?x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w.shared: "0x040000001032547698BADCFE1032547698BADCFE1032547698BADCFE1032547698BADCFE"
    }
  }
#-}
