// lowbit-cpu-kernels: the dequant kernel reads long K in blocks of at most
// 2048 codes (per channel: groups of 4096 codes, one per block), outermost
// in each task, adding each block's sums to y; y starts at the bias, so the
// bias is added once.
// RUN: lowbit-opt %s --lowbit-cpu-kernels="vector-width=16 rows=2 cols=1" | FileCheck %s

// Per channel, K = 8192: cut into shared-scale groups of 4096 codes, one per
// K block (two blocks).
// CHECK-LABEL: func.func @i8_channel_k_blocks(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x8192xf32>, %[[B:[^:]*]]: tensor<4xf32>
// CHECK: %[[Y0:.*]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%{{.*}} : tensor<?x4xf32>) dimensions = [0]
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) shared_outs(%{{.*}} = %[[Y0]])
// CHECK: scf.for %[[KB:[^ ]*]] = %{{[^ ]*}} to %c2{{[_0-9]*}} step
// CHECK: scf.for %{{[^ ]*}} = %[[KB]] to %{{[^ ]*}} step
// CHECK: %[[SUM:.*]] = vector.extract %{{.*}}[0] : f32 from vector<1xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %{{.*}} : tensor<?x1xf32>
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK-NEXT: tensor.insert %[[NEW]]
// CHECK-NOT: tensor.extract %[[B]][
// CHECK: tensor.parallel_insert_slice
func.func @i8_channel_k_blocks(%x: tensor<?x8192xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<3> : tensor<4x8192xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<4xf32>) bias(%b : tensor<4xf32>) : tensor<?x8192xf32>, tensor<4x8192xi8> -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
