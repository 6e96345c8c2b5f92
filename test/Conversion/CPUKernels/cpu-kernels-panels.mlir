// lowbit-cpu-kernels: a float matmul with a constant weight whose N is a
// multiple of the lanes becomes the panel kernel: the weight packed into
// column panels of two vectors, register tiles of rows x panel columns
// (outer products: one broadcast activation times the panel's vectors).
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 panel-rows=6" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 panel-rows=6 fma=false" | FileCheck %s --check-prefix=NOFMA
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=16" | FileCheck %s --check-prefix=W16

// W [4, 16] with w[k, n] = 16 k + n; panels of 8 columns: panel 0 holds
// columns 0..7 of each k (0..7, 16..23, ..), panel 1 columns 8..15.
// Row tiles of 6, then 4, then 1 rows; each tile loads its accumulators from
// y, runs the k loop (unrolled by 4: K = 4 is one iteration) and stores
// them back.
// CHECK-LABEL: func.func @f32_panels(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4xf32>
// CHECK: %[[P:.*]] = arith.constant dense_resource<lowbit.weight_panels> : tensor<2x4x8xf32>
// CHECK: %[[Y0:.*]] = linalg.fill
// CHECK: scf.forall (%[[T:.*]]) in (2) shared_outs(%[[OUT:.*]] = %[[Y0]])
// CHECK: tensor.extract_slice %[[OUT]][0, %{{.*}}] [%{{.*}}, 8] [1, 1] : tensor<?x16xf32> to tensor<?x8xf32>
// CHECK: scf.for %[[M0:[^ ]*]] = %{{[^ ]*}} to %{{[^ ]*}} step %c6{{[_0-9]*}} iter_args
// CHECK-COUNT-12: vector.transfer_read {{.*}} : tensor<?x8xf32>, vector<4xf32>
// CHECK: scf.for %[[K:[^ ]*]] = %{{[^ ]*}} to %{{[^ ]*}} step %c4{{[_0-9]*}} iter_args
// CHECK: %[[W0:.*]] = vector.transfer_read %[[P]][%{{.*}}, %[[K]], %c0{{[_0-9]*}}]{{.*}} : tensor<2x4x8xf32>, vector<4xf32>
// CHECK: %[[W1:.*]] = vector.transfer_read %[[P]][%{{.*}}, %[[K]], %c4{{[_0-9]*}}]{{.*}} : tensor<2x4x8xf32>, vector<4xf32>
// CHECK: %[[X0:.*]] = tensor.extract %[[X]][%[[M0]], %[[K]]] : tensor<?x4xf32>
// CHECK: %[[B0:.*]] = vector.broadcast %[[X0]] : f32 to vector<4xf32>
// CHECK: vector.fma %[[B0]], %[[W0]]
// CHECK: vector.fma %[[B0]], %[[W1]]
// CHECK-COUNT-12: vector.transfer_write
// CHECK: scf.for %{{[^ ]*}} = %{{[^ ]*}} to %{{[^ ]*}} step %c4{{[_0-9]*}} iter_args
// CHECK-COUNT-8: vector.transfer_read {{.*}} : tensor<?x8xf32>, vector<4xf32>
// CHECK: scf.for %{{[^ ]*}} = %{{[^ ]*}} to %{{[^ ]*}} step %c1{{[_0-9]*}} iter_args
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<?x8xf32>, vector<4xf32>
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.matmul
// The blob: alignment 64, then 0.0 .. 7.0 and 16.0 (panel 0's second k-row).
// CHECK: lowbit.weight_panels: "0x40000000000000000000803F0000004000004040000080400000A0400000C0400000E04000008041
// NOFMA-LABEL: func.func @f32_panels(
// NOFMA-NOT: vector.fma
// NOFMA: arith.mulf %{{.*}} : vector<4xf32>
// NOFMA: arith.addf %{{.*}} : vector<4xf32>
// Sixteen lanes: N = 16 is one panel of one vector; the default tile has 12
// rows (AVX-512's 32 registers).
// W16-LABEL: func.func @f32_panels(
// W16: arith.constant dense_resource<lowbit.weight_panels> : tensor<1x4x16xf32>
// W16: step %c12
func.func @f32_panels(%x: tensor<?x4xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x4xf32>
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0], [48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]> : tensor<4x16xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x16xf32>
  %a = linalg.fill ins(%z : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x16xf32>) outs(%a : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// K = 6 is not a multiple of 4: the k loop steps by one.
// CHECK-LABEL: func.func @f32_panels_odd_k(
// CHECK: arith.constant dense_resource<lowbit.weight_panels> : tensor<1x6x8xf32>
// CHECK: scf.for %{{[^ ]*}} = %{{[^ ]*}} to %{{[^ ]*}} step %c1{{[_0-9]*}} iter_args(%{{[^ ]*}} = %{{[^ ]*}}, %{{.*}}) -> (vector<4xf32>,
func.func @f32_panels_odd_k(%x: tensor<3x6xf32>) -> tensor<3x8xf32> {
  %w = arith.constant dense<0.25> : tensor<6x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x8xf32>
  %a = linalg.fill ins(%z : f32) outs(%e : tensor<3x8xf32>) -> tensor<3x8xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x6xf32>, tensor<6x8xf32>) outs(%a : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}
