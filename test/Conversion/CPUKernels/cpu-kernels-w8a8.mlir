// lowbit-cpu-kernels on lowbit.matmul (W8A8): the integer kernel, with
// vpdpbusd (lowbit.dot_u8s8) when vnni=true, else sign-extended products.
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=16 rows=2 cols=1 vnni=true" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=8 rows=2 cols=1" | FileCheck %s --check-prefix=PAIRS
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=2 rows=2 cols=1" | FileCheck %s --check-prefix=GENERIC

// VNNI: the activations become unsigned (xor 0x80 = +128), 64 codes per
// step feed 16 i32 lanes; the +128 is taken back with 128 times the weight
// row sums, computed at compile time: [-32, 64, 128, -64] (row 0 holds
// 1, -2, ..., 15, -16 four times, rows 1 to 3 all 1, 2 and -1). Then
// y = f32(sum) * (sx[m] * sw[n]), as the linalg lowering.
// CHECK-LABEL: func.func @w8a8(
// CHECK-SAME: %[[A:.*]]: tensor<?x64xi8>, %[[SA:.*]]: tensor<?xf32>
// CHECK: %[[W:.*]] = arith.constant dense<"0x01FE03FC
// CHECK: %[[SW:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01, 1.000000e+00]> : tensor<4xf32>
// CHECK: %[[SUMS:.*]] = arith.constant dense<[-32, 64, 128, -64]> : tensor<4xi32>
// CHECK: scf.forall
// CHECK: %[[FLIP:.*]] = arith.constant dense<-128> : vector<64xi8>
// CHECK: scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>)
// CHECK: %[[A0:.*]] = vector.transfer_read %[[A]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x64xi8>, vector<64xi8>
// CHECK: %[[U0:.*]] = arith.xori %[[A0]], %[[FLIP]] : vector<64xi8>
// CHECK: %[[A1:.*]] = vector.transfer_read %[[A]]
// CHECK: %[[U1:.*]] = arith.xori %[[A1]], %[[FLIP]] : vector<64xi8>
// CHECK: %[[WV:.*]] = vector.transfer_read %[[W]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<4x64xi8>, vector<64xi8>
// CHECK: lowbit.dot_u8s8 %{{.*}}, %[[U0]], %[[WV]] : vector<64xi8> -> vector<16xi32>
// CHECK: lowbit.dot_u8s8 %{{.*}}, %[[U1]], %[[WV]] : vector<64xi8> -> vector<16xi32>
// CHECK: %[[R:.*]] = vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// CHECK: %[[CS:.*]] = tensor.extract %[[SUMS]]
// CHECK: %[[CORR:.*]] = arith.muli %[[CS]], %c128_i32{{.*}} : i32
// CHECK: %[[EXACT:.*]] = arith.subi %[[R]], %[[CORR]] : i32
// CHECK: %[[S:.*]] = tensor.extract %[[SW]]
// CHECK: %[[SX:.*]] = tensor.extract %[[SA]]
// CHECK: %[[SC:.*]] = arith.mulf %[[SX]], %[[S]] : f32
// CHECK: %[[F:.*]] = arith.sitofp %[[EXACT]] : i32 to f32
// CHECK: %[[Y:.*]] = arith.mulf %[[F]], %[[SC]] : f32
// CHECK: tensor.insert %[[Y]]

// Without VNNI at 4, 8 or 16 lanes: steps of 2 x 8 codes, sign-extended to
// i16 and multiplied in pairs into the i32 lanes (lowbit.dot_i16,
// pmaddwd); no +128, so no correction.
// PAIRS-LABEL: func.func @w8a8(
// PAIRS-NOT: lowbit.dot_u8s8
// PAIRS: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16
// PAIRS: %[[A0:.*]] = vector.transfer_read {{.*}} : tensor<?x64xi8>, vector<16xi8>
// PAIRS: %[[A0X:.*]] = arith.extsi %[[A0]] : vector<16xi8> to vector<16xi16>
// PAIRS: %[[A1:.*]] = vector.transfer_read {{.*}} : tensor<?x64xi8>, vector<16xi8>
// PAIRS: %[[A1X:.*]] = arith.extsi %[[A1]] : vector<16xi8> to vector<16xi16>
// PAIRS: %[[WV:.*]] = vector.transfer_read {{.*}} : tensor<4x64xi8>, vector<16xi8>
// PAIRS: %[[WX:.*]] = arith.extsi %[[WV]] : vector<16xi8> to vector<16xi16>
// PAIRS: lowbit.dot_i16 %{{.*}}, %[[A0X]], %[[WX]] : vector<16xi16> -> vector<8xi32>
// PAIRS: lowbit.dot_i16 %{{.*}}, %[[A1X]], %[[WX]] : vector<16xi16> -> vector<8xi32>
// PAIRS-NOT: arith.subi
// PAIRS: arith.sitofp
// Other widths: sign-extended i32 lanes, a multiply and an add.
// GENERIC-LABEL: func.func @w8a8(
// GENERIC-NOT: lowbit.dot
// GENERIC: %[[A0:.*]] = vector.transfer_read {{.*}} : tensor<?x64xi8>, vector<2xi8>
// GENERIC: %[[A0X:.*]] = arith.extsi %[[A0]] : vector<2xi8> to vector<2xi32>
// GENERIC: %[[WV:.*]] = vector.transfer_read {{.*}} : tensor<4x64xi8>, vector<2xi8>
// GENERIC: %[[WX:.*]] = arith.extsi %[[WV]] : vector<2xi8> to vector<2xi32>
// GENERIC: %[[P:.*]] = arith.muli %[[A0X]], %[[WX]] : vector<2xi32>
// GENERIC: arith.addi %{{.*}}, %[[P]] : vector<2xi32>
// GENERIC-NOT: arith.subi
// GENERIC: arith.sitofp
func.func @w8a8(%a: tensor<?x64xi8>, %sa: tensor<?xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<[[1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]]> : tensor<4x64xi8>
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<?xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 0.25, 0.125, 1.0]> : tensor<4xf32>)) : tensor<?x64xi8>, tensor<4x64xi8> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Long K (4096): the codes are read in ceil(K / 2048) equal blocks (the last
// one cut at K when K is not a multiple); each task sums into
// an i32 tile (exact, so the blocks do not change the result), then applies
// the correction, scales and bias to its slice of y.
// CHECK-LABEL: func.func @w8a8_k_blocks(
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%[[Y:.*]] = %{{.*}})
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[Y]]
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : tensor<?x1xi32>)
// CHECK: %[[SUMS:.*]] = scf.for %[[KB:[^ ]*]] = %{{[^ ]*}} to %c2{{[_0-9]*}} step %{{[^ ]*}} iter_args(%{{[^ ]*}} = %[[ZERO]]) -> (tensor<?x1xi32>)
// CHECK: %[[K0:.*]] = arith.muli %[[KB]], %c2048{{.*}} : index
// CHECK: %[[K1:.*]] = arith.addi %[[K0]], %c2048{{.*}} : index
// CHECK: %[[KEND:.*]] = arith.minui %[[K1]], %c4096{{.*}} : index
// CHECK: scf.for %{{.*}} = %[[K0]] to %[[KEND]] step %c64{{.*}} iter_args
// CHECK: lowbit.dot_u8s8
// CHECK: %[[R:.*]] = vector.reduction <add>
// CHECK: %[[OLD:.*]] = tensor.extract %{{.*}} : tensor<?x1xi32>
// CHECK: %[[NEW:.*]] = arith.addi %[[OLD]], %[[R]] : i32
// CHECK: tensor.insert %[[NEW]]
// The epilogue, once per task, on the whole sums tile:
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[SLICE]]) -> (tensor<?x1xf32>)
// CHECK: %[[SUM:.*]] = tensor.extract %[[SUMS]]
// CHECK: %[[EXACT:.*]] = arith.subi %[[SUM]]
// CHECK: arith.sitofp %[[EXACT]]
// CHECK: tensor.parallel_insert_slice
func.func @w8a8_k_blocks(%a: tensor<?x4096xi8>, %sa: tensor<?xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<3> : tensor<4x4096xi8>
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<?xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 0.25, 0.125, 1.0]> : tensor<4xf32>)) : tensor<?x4096xi8>, tensor<4x4096xi8> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
