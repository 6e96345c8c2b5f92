// lowbit-cpu-kernels' offline interleaving of weight rows
// (interleaveRowSteps, lib/Quant/Packing.cpp): the `cols` weight rows a step
// reads together are stored step by step side by side, so each task reads
// its weights front to back as one stream instead of `cols` short ones.
// (gemm=false: the streaming kernel alone, also for the dynamic row counts
// that would otherwise carry the decode-then-GEMM kernel of
// cpu-kernels-gemm.mlir too.)
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 rows=1 cols=2 gemm=false" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-cpu-kernels="vector-width=4 rows=1 cols=2 repack=false gemm=false" | FileCheck %s --check-prefix=ROWS

// i8 codes w[n, k] = 10 n + k, N = 8 (tasks of 2 columns, so rows in pairs),
// steps of 4 codes: row 0's first step (00 01 02 03), row 1's (0A 0B 0C 0D),
// row 0's second step (04 .. 07), row 1's (0E .. 11), then rows 2 and 3.
// The step of row n at column k0 starts at byte
// (n / 2) * 16 + ((n % 2) / 2) * 8 * 2 + (n % 2) * 4 + (k0 / 4) * 8 (tasks
// of two rows, one K block of two steps: interleaveRowSteps' formula); the
// part that depends on n alone is computed once per weight row, before the
// loops over steps.
// CHECK-LABEL: func.func @i8_rows_interleaved(
// CHECK: %[[W:.*]] = arith.constant dense_resource<lowbit.weight.8x8.rows2x2> : tensor<64xi8>
// CHECK: scf.forall
// CHECK: %[[TASK:.*]] = arith.divui %[[N:[^,]*]], %c2{{[_0-9]*}} : index
// CHECK: %[[TASKOFF:.*]] = arith.muli %[[TASK]], %c16{{[_0-9]*}} : index
// CHECK: %[[INTASK:.*]] = arith.remui %[[N]], %c2{{[_0-9]*}} : index
// CHECK: %[[PAIR:.*]] = arith.divui %[[INTASK]], %c2{{[_0-9]*}} : index
// CHECK: %[[ROW:.*]] = arith.remui %[[N]], %c2{{[_0-9]*}} : index
// CHECK: %[[ROWOFF:.*]] = arith.muli %[[ROW]], %c4{{[_0-9]*}} : index
// CHECK: %[[PAIR8:.*]] = arith.muli %[[PAIR]], %c8{{[_0-9]*}} : index
// CHECK: %[[PAIROFF:.*]] = arith.muli %[[PAIR8]], %c2{{[_0-9]*}} : index
// CHECK: %[[T0:.*]] = arith.addi %[[TASKOFF]], %{{.*}} : index
// CHECK: %[[T1:.*]] = arith.addi %[[PAIROFF]], %[[ROWOFF]] : index
// CHECK: %[[START:.*]] = arith.addi %[[T0]], %[[T1]] : index
// CHECK: scf.for %[[KI:[^ ]*]] = %{{[^ ]*}} to %{{[^ ]*}} step %c4{{[_0-9]*}} iter_args
// CHECK: %[[K0:.*]] = arith.addi %{{.*}}, %[[KI]] : index
// CHECK: %[[STEP:.*]] = arith.divui %[[K0]], %c4{{[_0-9]*}} : index
// CHECK: %[[STEPOFF:.*]] = arith.muli %[[STEP]], %c8{{[_0-9]*}} : index
// CHECK: %[[AT:.*]] = arith.addi %[[START]], %[[STEPOFF]] : index
// CHECK: vector.transfer_read %[[W]][%[[AT]]], %{{.*}} {in_bounds = [true]} : tensor<64xi8>, vector<4xi8>
// CHECK: lowbit.weight.8x8.rows2x2: "0x40000000000102030A0B0C0D040506070E0F1011141516171E1F202118191A1B2223242528292A2B323334352C2D2E2F363738393C3D3E3F46474849404142434A4B4C4D"
// Without the repacking the rows stay as they are ([N, K], read at [n, k0]).
// ROWS-LABEL: func.func @i8_rows_interleaved(
// ROWS-NOT: lowbit.weight.rows
// ROWS: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<8x8xi8>, vector<4xi8>
func.func @i8_rows_interleaved(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7], [10, 11, 12, 13, 14, 15, 16, 17], [20, 21, 22, 23, 24, 25, 26, 27], [30, 31, 32, 33, 34, 35, 36, 37], [40, 41, 42, 43, 44, 45, 46, 47], [50, 51, 52, 53, 54, 55, 56, 57], [60, 61, 62, 63, 64, 65, 66, 67], [70, 71, 72, 73, 74, 75, 76, 77]]> : tensor<8x8xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<8xf32>) : tensor<?x8xf32>, tensor<8x8xi8> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// One blob read as two shapes (tensor<16x32xi8> and tensor<8x64xi8>): each
// view gets its own repacked constant (the layout depends on the shape).
// CHECK-LABEL: func.func @one_blob_two_shapes(
// CHECK-DAG: arith.constant dense_resource<shared.16x32.rows2x4> : tensor<512xi8>
// CHECK-DAG: arith.constant dense_resource<shared.8x64.rows2x2> : tensor<512xi8>
func.func @one_blob_two_shapes(%x: tensor<?x32xf32>, %z: tensor<?x64xf32>) -> (tensor<?x16xf32>, tensor<?x8xf32>) {
  %w = arith.constant dense_resource<shared> : tensor<16x32xi8>
  %v = arith.constant dense_resource<shared> : tensor<8x64xi8>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<16xf32>) : tensor<?x32xf32>, tensor<16x32xi8> -> tensor<?x16xf32>
  %u = lowbit.dequant_matmul %z, %v as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<8xf32>) : tensor<?x64xf32>, tensor<8x64xi8> -> tensor<?x8xf32>
  return %y, %u : tensor<?x16xf32>, tensor<?x8xf32>
}
{-#
  dialect_resources: {
    builtin: {
      shared: "0x04000000000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F60616263000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F60616263000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F60616263000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F60616263000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F60616263000102030405060708090A0B"
    }
  }
#-}
