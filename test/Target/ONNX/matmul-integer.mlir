// MatMulInteger imports as a contraction linalg.generic that widens the
// (u)int8 operands with extui/extsi, subtracts scalar zero-points and
// accumulates in i32; runs against numpy (Inputs/make_shape_models.py).
// The products and sums of 8-bit codes are exact in i32: atol 0.

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_integer.onnx --mlir-print-local-scope | FileCheck %s
// CHECK-DAG:  %[[ZA:.*]] = arith.constant 128 : i32
// CHECK-DAG:  %[[ZB:.*]] = arith.constant -3 : i32
// CHECK:      linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-SAME:   ins(%arg0, %{{.*}} : tensor<2x3x4xi8>, tensor<4x5xi8>) outs(%{{.*}} : tensor<2x3x5xi32>)
// CHECK:        %[[A:.*]] = arith.extui %{{.*}} : i8 to i32
// CHECK-NEXT:   arith.subi %[[A]], %[[ZA]] : i32
// CHECK-NEXT:   %[[B:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK-NEXT:   arith.subi %[[B]], %[[ZB]] : i32
// CHECK:        arith.muli
// CHECK:        arith.addi
// CHECK:      -> tensor<2x3x5xi32>
// CHECK:        arith.extsi
// CHECK-NEXT:   arith.extui
// CHECK-NEXT:   arith.muli
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_integer.onnx -o %t/mmi.mlir
// RUN: lowbit-run %t/mmi.mlir --input=%S/Inputs/matmul_integer_in0.npy --input=%S/Inputs/matmul_integer_in1.npy --input=%S/Inputs/matmul_integer_in2.npy --expected=%S/Inputs/matmul_integer_out0.npy --expected=%S/Inputs/matmul_integer_out1.npy --rtol=0 --atol=0 | FileCheck %s --check-prefix=JIT
// JIT-NOT: FAIL
// JIT-COUNT-2: [PASS]

// Per-row A and per-column B zero-points (constants), and a per-row A
// zero-point that is a graph input: both operands are centered in i32 by
// broadcasting generics (a [M] zero-point read as [M, 1]), then an i32
// contraction.
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_integer_channels.onnx --mlir-print-local-scope | FileCheck %s --check-prefix=CHAN
// CHAN:      %[[AZ:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xi8> into tensor<3x1xi8>
// CHAN:      %[[A:.*]] = linalg.generic {{.*}} affine_map<(d0, d1, d2) -> (d1, 0)>
// CHAN-SAME:   ins(%arg0, %[[AZ]] : tensor<2x3x4xi8>, tensor<3x1xi8>) outs(%{{.*}} : tensor<2x3x4xi32>)
// CHAN:        arith.extui
// CHAN:        arith.extui
// CHAN:        arith.subi
// CHAN:      %[[B:.*]] = linalg.generic {{.*}} affine_map<(d0, d1) -> (d1)>
// CHAN-SAME:   ins(%{{.*}}, %{{.*}} : tensor<4x5xi8>, tensor<5xi8>) outs(%{{.*}} : tensor<4x5xi32>)
// CHAN:        arith.extsi
// CHAN:        arith.extsi
// CHAN:        arith.subi
// CHAN:      linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<2x3x4xi32>, tensor<4x5xi32>) outs(%{{.*}} : tensor<2x3x5xi32>)
// CHAN:      tensor.expand_shape %arg3 {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xi8> into tensor<3x1xi8>
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_integer_channels.onnx -o %t/mmi_channels.mlir
// RUN: lowbit-run %t/mmi_channels.mlir --input=%S/Inputs/matmul_integer_channels_in0.npy --input=%S/Inputs/matmul_integer_channels_in1.npy --input=%S/Inputs/matmul_integer_channels_in2.npy --input=%S/Inputs/matmul_integer_channels_in3.npy --expected=%S/Inputs/matmul_integer_channels_out0.npy --expected=%S/Inputs/matmul_integer_channels_out1.npy --rtol=0 --atol=0 | FileCheck %s --check-prefix=JIT
