// Split, Pad and GatherElements import and run against numpy references
// (models from Inputs/make_shape_models.py). All outputs are copies of
// input elements, so they must match exactly.

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/data_ops.onnx -o %t/data_ops.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/data_ops.onnx --mlir-print-local-scope | FileCheck %s

// Split with constant sizes [2, 4] along axis 1, then into 2 equal parts.
// CHECK:      tensor.extract_slice %arg0[0, 0] [4, 2] [1, 1] : tensor<4x6xf32> to tensor<4x2xf32>
// CHECK-NEXT: tensor.extract_slice %arg0[0, 2] [4, 4] [1, 1] : tensor<4x6xf32> to tensor<4x4xf32>
// CHECK-NEXT: tensor.extract_slice %arg0[0, 0] [2, 6] [1, 1] : tensor<4x6xf32> to tensor<2x6xf32>
// CHECK-NEXT: tensor.extract_slice %arg0[2, 0] [2, 6] [1, 1] : tensor<4x6xf32> to tensor<2x6xf32>

// Pad constant, pads [1, -1, 0, 2]: 4x6 -> 5x7; the pad value 1.5 is
// selected outside the input, which is read at a clamped index.
// CHECK:      %[[V:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK:      linalg.generic {{.*}} outs(%{{.*}} : tensor<5x7xf32>)
// CHECK:        arith.cmpi sge
// CHECK:        arith.cmpi slt
// CHECK:        arith.maxsi
// CHECK:        arith.minsi
// CHECK:        %[[X:.*]] = tensor.extract %arg0[{{.*}}] : tensor<4x6xf32>
// CHECK-NEXT:   arith.select %{{.*}}, %[[X]], %[[V]] : f32

// Pad reflect [3, 2, 0, 5]: 7x13, index mod 2 (d - 1), mirrored.
// CHECK:      linalg.generic {{.*}} outs(%{{.*}} : tensor<7x13xf32>)
// CHECK:        arith.remsi %{{.*}}, %c6
// CHECK:        arith.remsi %{{.*}}, %c10
// CHECK:        tensor.extract %arg0

// Pad edge [0, 2, 2, 1]: 6x9, clamped indices.
// CHECK:      linalg.generic {{.*}} outs(%{{.*}} : tensor<6x9xf32>)
// CHECK:        arith.maxsi
// CHECK:        arith.minsi
// CHECK:        tensor.extract %arg0

// GatherElements along axis 1 and axis -2 (negative indices wrap).
// CHECK:      linalg.generic {{.*}} ins(%{{.*}} : tensor<4x3xi64>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK:        tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<4x6xf32>
// CHECK:      linalg.generic {{.*}} ins(%{{.*}} : tensor<1x6xi64>) outs(%{{.*}} : tensor<1x6xf32>)

// RUN: lowbit-run %t/data_ops.mlir --input=%S/Inputs/data_ops_in0.npy --expected=%S/Inputs/data_ops_out0.npy --expected=%S/Inputs/data_ops_out1.npy --expected=%S/Inputs/data_ops_out2.npy --expected=%S/Inputs/data_ops_out3.npy --expected=%S/Inputs/data_ops_out4.npy --expected=%S/Inputs/data_ops_out5.npy --expected=%S/Inputs/data_ops_out6.npy --expected=%S/Inputs/data_ops_out7.npy --expected=%S/Inputs/data_ops_out8.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN9
// RUN9-NOT: FAIL
// RUN9-COUNT-9: [PASS]

// Opset 18 Split with num_outputs = 3 of 7 rows: 3, 3 and the last 1.
// RUN: lowbit-translate --import-onnx %S/Inputs/split18.onnx -o %t/split18.mlir
// RUN: FileCheck %s --check-prefix=SPLIT18 < %t/split18.mlir
// SPLIT18: tensor.extract_slice %arg0[0, 0] [3, 2] [1, 1]
// SPLIT18: tensor.extract_slice %arg0[3, 0] [3, 2] [1, 1]
// SPLIT18: tensor.extract_slice %arg0[6, 0] [1, 2] [1, 1]
// RUN: lowbit-run %t/split18.mlir --input=%S/Inputs/split18_in0.npy --expected=%S/Inputs/split18_out0.npy --expected=%S/Inputs/split18_out1.npy --expected=%S/Inputs/split18_out2.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN3
// RUN3-NOT: FAIL
// RUN3-COUNT-3: [PASS]

// Opset 19 Pad: wrap mode (index modulo d), and pads [3, -1] on axes [-1]
// with a constant_value that is a graph input (a rank-0 tensor, read with
// tensor.extract).
// RUN: lowbit-translate --import-onnx %S/Inputs/pad_more.onnx -o %t/pad_more.mlir
// RUN: FileCheck %s --check-prefix=PAD19 < %t/pad_more.mlir
// PAD19:      func.func @main(%arg0: tensor<3x4xf32> {onnx.name = "x"}, %arg1: tensor<f32> {onnx.name = "v"})
// PAD19:      linalg.generic {{.*}} outs(%{{.*}} : tensor<6x8xf32>)
// PAD19:        arith.remsi %{{.*}}, %c3
// PAD19:        arith.remsi %{{.*}}, %c4
// PAD19:      %[[V:.*]] = tensor.extract %arg1[] : tensor<f32>
// PAD19:      linalg.generic {{.*}} outs(%{{.*}} : tensor<3x6xf32>)
// PAD19:        arith.select %{{.*}}, %{{.*}}, %[[V]] : f32
// RUN: lowbit-run %t/pad_more.mlir --input=%S/Inputs/pad_more_in0.npy --input=%S/Inputs/pad_more_in1.npy --expected=%S/Inputs/pad_more_out0.npy --expected=%S/Inputs/pad_more_out1.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN2
// RUN2-NOT: FAIL
// RUN2-COUNT-2: [PASS]
