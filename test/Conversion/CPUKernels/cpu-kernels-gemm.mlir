// lowbit-cpu-kernels: a weight-only matmul with 32 or more activation rows
// (16 with bf16-products; checked at run time) takes the decode-then-GEMM kernel: activations
// transposed once per call (columns of x read as vectors of rows, masked
// past M), each task dequantizes a K block of its weight rows into a buffer,
// register tiles of 3 vectors of rows x 8 columns multiply them, and the
// task's tile of y^T goes back into y with the bias. Fewer rows keep the
// streaming kernel. With bf16-products, activations and weights are rounded
// to bf16 pairs and multiplied by lowbit.dot_bf16.
// RUN: lowbit-opt %s --lowbit-cpu-kernels="vector-width=16" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-cpu-kernels="vector-width=16 bf16-products=true" | FileCheck %s --check-prefix=BF16
// RUN: lowbit-opt %s --lowbit-cpu-kernels="vector-width=16 gemm-min-rows=1000000000" | FileCheck %s --check-prefix=ROWS
// RUN: lowbit-opt %s --lowbit-cpu-kernels="vector-width=16 gemm=false" | FileCheck %s --check-prefix=STREAM

// CHECK: #[[COLUMN:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @i8_channel(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x32xf32>, %[[B:[^:]*]]: tensor<32xf32>
// CHECK: %[[CODES:.*]] = arith.constant dense_resource<lowbit.weight.32x32.rows4x8> : tensor<1024xi8>
// CHECK: %[[SCALES:.*]] = arith.constant dense<5.000000e-01> : tensor<32xf32>
// CHECK: %[[M:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[MANY:.*]] = arith.cmpi uge, %[[M]], %c32
// CHECK: scf.if %[[MANY]] -> (tensor<?x32xf32>) {
// xT [K, M rounded up to 16], blocks of K in parallel.
// CHECK: %[[XT0:.*]] = tensor.empty(%{{.*}}) : tensor<32x?xf32>
// CHECK: %[[XT:.*]] = scf.forall (%{{.*}}) in (1) shared_outs(%{{.*}} = %[[XT0]])
// CHECK: %[[COL:.*]] = vector.transfer_read %[[X]][%[[ROW:.*]], %[[K:.*]]], %{{.*}} {permutation_map = #[[COLUMN]]} : tensor<?x32xf32>, vector<16xf32>
// CHECK: vector.transfer_write %[[COL]], %{{.*}}[%{{.*}}, %[[ROW]]] {in_bounds = [true]} : vector<16xf32>, tensor<32x?xf32>
// Tasks of 8 columns: a [8, 32] buffer of dequantized weights, a [8, chunk]
// tile of y^T.
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs(
// CHECK: %[[BUF0:.*]] = tensor.empty() : tensor<8x32xf32>
// CHECK: tensor.empty() : tensor<8x2016xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2016
// CHECK: linalg.fill
// Dequantize: code * scale into buf[c, k - k0].
// CHECK: scf.for %[[C:[^ ]*]] = %{{.*}} to %c8{{[_0-9]*}} step %c1{{[_0-9]*}} iter_args(%{{.*}} = %[[BUF0]])
// CHECK: %[[S:.*]] = tensor.extract %[[SCALES]][%{{.*}}] : tensor<32xf32>
// CHECK: %[[SV:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK: %[[CV:.*]] = vector.transfer_read %[[CODES]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<1024xi8>, vector<16xi8>
// CHECK: %[[F:.*]] = arith.sitofp %[[CV]] : vector<16xi8> to vector<16xf32>
// CHECK: %[[W:.*]] = arith.mulf %[[F]], %[[SV]] : vector<16xf32>
// CHECK: vector.transfer_write %[[W]], %{{.*}}[%[[C]], %{{.*}}] {in_bounds = [true]} : vector<16xf32>, tensor<8x32xf32>
// A 3 x 8 tile: 3 activation vectors, 8 broadcast weights, 24 FMAs per k.
// CHECK: %{{.*}}:24 = scf.for %[[Q:[^ ]*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
// CHECK-COUNT-3: vector.transfer_read %[[XT]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<32x?xf32>, vector<16xf32>
// CHECK: %[[WS:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[Q]]] : tensor<8x32xf32>
// CHECK: %[[WB:.*]] = vector.broadcast %[[WS]] : f32 to vector<16xf32>
// CHECK-COUNT-3: vector.fma %{{.*}}, %[[WB]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-21: vector.fma
// CHECK-NEXT: scf.yield
// Then tiles of one vector of rows (8 FMAs per k).
// CHECK: %{{.*}}:8 = scf.for %{{.*}} iter_args(
// y[m, n0 + c ..] = y^T column (+ bias), 8 columns at a time.
// CHECK: %[[YT:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true], permutation_map = #[[COLUMN]]} : tensor<8x2016xf32>, vector<8xf32>
// CHECK: %[[BV:.*]] = vector.transfer_read %[[B]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<32xf32>, vector<8xf32>
// CHECK: %[[Y:.*]] = arith.addf %[[YT]], %[[BV]] : vector<8xf32>
// CHECK: vector.transfer_write %[[Y]], %{{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<?x8xf32>
// CHECK: } else {
// The streaming kernel: lane sums of row dot products halved to a scalar.
// CHECK: vector.extract_strided_slice
// CHECK: }

// BF16-LABEL: func.func @i8_channel(
// BF16: arith.cmpi uge, %{{.*}}, %c16
// BF16: scf.if
// xT words: two columns of x (k = 2q, 2q + 1) rounded and interleaved.
// BF16: tensor.empty(%{{.*}}) : tensor<16x?xi32>
// BF16: %[[EVEN:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// BF16: %[[ODD:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// BF16: %[[PAIRS:.*]] = vector.interleave %[[EVEN]], %[[ODD]] : vector<16xbf16> -> vector<32xbf16>
// BF16: vector.bitcast %[[PAIRS]] : vector<32xbf16> to vector<16xi32>
// The buffer holds 16 words (32 bf16) per weight row.
// BF16: tensor.empty() : tensor<8x16xi32>
// BF16: %[[W:.*]] = arith.mulf
// BF16: %[[WH:.*]] = arith.truncf %[[W]] : vector<16xf32> to vector<16xbf16>
// BF16: %[[WW:.*]] = vector.bitcast %[[WH]] : vector<16xbf16> to vector<8xi32>
// BF16: vector.transfer_write %[[WW]], %{{.*}} : vector<8xi32>, tensor<8x16xi32>
// BF16: %[[WORD:.*]] = tensor.extract %{{.*}} : tensor<8x16xi32>
// BF16: %[[SPLAT:.*]] = vector.broadcast %[[WORD]] : i32 to vector<16xi32>
// BF16: %[[WP:.*]] = vector.bitcast %[[SPLAT]] : vector<16xi32> to vector<32xbf16>
// BF16-COUNT-3: lowbit.dot_bf16 %{{.*}}, %{{.*}}, %[[WP]] : vector<32xbf16> -> vector<16xf32>
// BF16: } else {
// BF16-NOT: lowbit.dot_bf16
// BF16: return

// ROWS-LABEL: func.func @i8_channel(
// ROWS: arith.cmpi uge, %{{.*}}, %c1000000000
// ROWS: scf.if
// ROWS: vector.extract_strided_slice
func.func @i8_channel(%x: tensor<?x32xf32>, %b: tensor<32xf32>) -> tensor<?x32xf32> {
  %w = arith.constant dense<3> : tensor<32x32xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<32xf32>) bias(%b : tensor<32xf32>) : tensor<?x32xf32>, tensor<32x32xi8> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// A static row count picks the kernel at compile time: 64 rows the
// decode-then-GEMM kernel alone, 8 rows the streaming kernel alone.
// CHECK-LABEL: func.func @static_rows(
// CHECK-NOT: scf.if
// CHECK: permutation_map
// CHECK-NOT: vector.extract_strided_slice
// CHECK: return
// CHECK-LABEL: func.func @few_static_rows(
// CHECK-NOT: scf.if
// CHECK-NOT: permutation_map
// CHECK: vector.extract_strided_slice
// STREAM-LABEL: func.func @i8_channel(
// STREAM-NOT: scf.if
// STREAM-NOT: permutation_map
// STREAM: vector.extract_strided_slice
func.func @static_rows(%x: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %w = arith.constant dense<3> : tensor<32x32xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<32xf32>) : tensor<64x32xf32>, tensor<32x32xi8> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}

func.func @few_static_rows(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %w = arith.constant dense<3> : tensor<32x32xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<32xf32>) : tensor<8x32xf32>, tensor<32x32xi8> -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}
