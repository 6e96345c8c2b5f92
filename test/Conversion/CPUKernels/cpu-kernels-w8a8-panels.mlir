// lowbit-cpu-kernels on a W8A8 lowbit.matmul whose N is a multiple of the
// lanes, with VNNI: the panel kernel. The codes are packed into panels of
// 4-code groups ([N / NR, K / 4, 4 NR] bytes: for each group of four k, the
// four codes of each of the panel's NR columns), the activations made
// unsigned once per call as i32 words of four codes; each step broadcasts
// one word per row into vpdpbusd with the panel's vectors, and the
// epilogue works on vectors: y = f32(sum - 128 sum_k w[n, k]) * (sx[m] *
// sw[n]) + bias[n], the scalar kernel's operations lane by lane. Without
// VNNI the same loops run on 2-code groups ([N / NR, K / 2, 2 NR] bytes),
// the activations sign-extended once per call into i32 words of two i16
// codes, each step's panel vectors sign-extended to i16 and multiplied by
// lowbit.dot_i16 (pmaddwd); there is no +128, so no correction.
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 panel-rows=2 vnni=true" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 panel-rows=2" | FileCheck %s --check-prefix=GENERIC

// w[n, k] = 16 n + k - 64: panel 0's first group holds w[0, 0..3] = -64 ..
// -61 (C0 C1 C2 C3), then w[1, 0..3] = -48 .. -45 (D0 ..), and so on; 128
// times the row sums: 128 (256 n - 904).
// CHECK-LABEL: func.func @w8a8_panels(
// CHECK-SAME: %[[A:[^:]*]]: tensor<?x16xi8>, %[[SA:[^:]*]]: tensor<?xf32>, %[[B:[^:]*]]: tensor<8xf32>
// CHECK: %[[SW:.*]] = arith.constant dense<[{{.*}}]> : tensor<8xf32>
// CHECK: %[[P:.*]] = arith.constant dense_resource<lowbit.weight_panels> : tensor<1x4x32xi8>
// CHECK: %[[CORR:.*]] = arith.constant dense<[-115712, -82944, -50176, -17408, 15360, 48128, 80896, 113664]> : tensor<8xi32>
// CHECK: %[[FLIP:.*]] = arith.constant dense<-128> : vector<16xi8>
// CHECK: %[[WORDS:.*]] = scf.for
// CHECK: %[[XB:.*]] = vector.transfer_read %[[A]]{{.*}} : tensor<?x16xi8>, vector<16xi8>
// CHECK: %[[XU:.*]] = arith.xori %[[XB]], %[[FLIP]] : vector<16xi8>
// CHECK: %[[XW:.*]] = vector.bitcast %[[XU]] : vector<16xi8> to vector<4xi32>
// CHECK: vector.transfer_write %[[XW]], %{{.*}} : vector<4xi32>, tensor<?x4xi32>
// CHECK: scf.forall
// CHECK: scf.for %[[M0:[^ ]*]] = %{{[^ ]*}} to %{{[^ ]*}} step %c2{{[_0-9]*}} iter_args
// CHECK: %[[Q:[^ ]*]] = %{{[^ ]*}} to %{{[^ ]*}} step %c1{{[_0-9]*}} iter_args({{.*}}) -> (vector<4xi32>, vector<4xi32>, vector<4xi32>, vector<4xi32>)
// CHECK: %[[W0:.*]] = vector.transfer_read %[[P]][%{{.*}}, %[[Q]], %c0{{[_0-9]*}}]{{.*}} : tensor<1x4x32xi8>, vector<16xi8>
// CHECK: %[[W1:.*]] = vector.transfer_read %[[P]][%{{.*}}, %[[Q]], %c16{{[_0-9]*}}]{{.*}} : tensor<1x4x32xi8>, vector<16xi8>
// CHECK: %[[WORD:.*]] = tensor.extract %[[WORDS]][%[[M0]], %[[Q]]] : tensor<?x4xi32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[WORD]] : i32 to vector<4xi32>
// CHECK: %[[XV:.*]] = vector.bitcast %[[SPLAT]] : vector<4xi32> to vector<16xi8>
// CHECK: lowbit.dot_u8s8 %{{.*}}, %[[XV]], %[[W0]] : vector<16xi8> -> vector<4xi32>
// CHECK: lowbit.dot_u8s8 %{{.*}}, %[[XV]], %[[W1]] : vector<16xi8> -> vector<4xi32>
// CHECK: %[[C:.*]] = vector.transfer_read %[[CORR]]{{.*}} : tensor<8xi32>, vector<4xi32>
// CHECK: %[[EXACT:.*]] = arith.subi %{{.*}}, %[[C]] : vector<4xi32>
// CHECK: %[[SX:.*]] = tensor.extract %[[SA]]
// CHECK: %[[SXV:.*]] = vector.broadcast %[[SX]] : f32 to vector<4xf32>
// CHECK: %[[SWV:.*]] = vector.transfer_read %[[SW]]{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK: %[[SC:.*]] = arith.mulf %[[SXV]], %[[SWV]] : vector<4xf32>
// CHECK: %[[F:.*]] = arith.sitofp %[[EXACT]] : vector<4xi32> to vector<4xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[F]], %[[SC]] : vector<4xf32>
// CHECK: %[[BV:.*]] = vector.transfer_read %[[B]]{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK: %[[YB:.*]] = arith.addf %[[Y]], %[[BV]] : vector<4xf32>
// CHECK: vector.transfer_write %[[YB]]
// CHECK: lowbit.weight_panels: "0x40000000C0C1C2C3D0D1D2D3E0E1E2E3F0F1F2F300010203
// Without VNNI: panel 0's first group holds w[0, 0..1] = -64, -63 (C0 C1),
// then w[1, 0..1] = -48, -47 (D0 D1), and so on.
// GENERIC-LABEL: func.func @w8a8_panels(
// GENERIC-SAME: %[[A:[^:]*]]: tensor<?x16xi8>
// GENERIC: %[[P:.*]] = arith.constant dense_resource<lowbit.weight_panels> : tensor<1x8x16xi8>
// GENERIC-NOT: dense<-128>
// GENERIC: %[[XB:.*]] = vector.transfer_read %[[A]]{{.*}} : tensor<?x16xi8>, vector<8xi8>
// GENERIC: %[[XS:.*]] = arith.extsi %[[XB]] : vector<8xi8> to vector<8xi16>
// GENERIC: %[[XW:.*]] = vector.bitcast %[[XS]] : vector<8xi16> to vector<4xi32>
// GENERIC: vector.transfer_write %[[XW]], %{{.*}} : vector<4xi32>, tensor<?x8xi32>
// GENERIC: scf.forall
// GENERIC: %[[W0:.*]] = vector.transfer_read %[[P]]{{.*}} : tensor<1x8x16xi8>, vector<8xi8>
// GENERIC: %[[W0S:.*]] = arith.extsi %[[W0]] : vector<8xi8> to vector<8xi16>
// GENERIC: %[[W1:.*]] = vector.transfer_read %[[P]]{{.*}} : tensor<1x8x16xi8>, vector<8xi8>
// GENERIC: %[[W1S:.*]] = arith.extsi %[[W1]] : vector<8xi8> to vector<8xi16>
// GENERIC: %[[WORD:.*]] = tensor.extract %{{.*}} : tensor<?x8xi32>
// GENERIC: %[[BC:.*]] = vector.broadcast %[[WORD]] : i32 to vector<4xi32>
// GENERIC: %[[X16:.*]] = vector.bitcast %[[BC]] : vector<4xi32> to vector<8xi16>
// GENERIC: lowbit.dot_i16 %{{.*}}, %[[X16]], %[[W0S]] : vector<8xi16> -> vector<4xi32>
// GENERIC: lowbit.dot_i16 %{{.*}}, %[[X16]], %[[W1S]] : vector<8xi16> -> vector<4xi32>
// GENERIC: arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// GENERIC: lowbit.weight_panels: "0x40000000C0C1D0D1E0E1F0F10001101120213031C2C3D2D3
func.func @w8a8_panels(%a: tensor<?x16xi8>, %sa: tensor<?xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<[[-64, -63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49], [-48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33], [-32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17], [-16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31], [32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47], [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]]> : tensor<8x16xi8>
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<?xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<[0.5, 0.25, 0.125, 1.0, 2.0, 4.0, 0.75, 1.5]> : tensor<8xf32>)) bias(%b : tensor<8xf32>) : tensor<?x16xi8>, tensor<8x16xi8> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
