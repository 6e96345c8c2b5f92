// Where, Expand, Shape (folded to a constant), ConstantOfShape and Slice
// import and run against numpy references (Inputs/make_shape_models.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/shape_ops.onnx -o %t/shape_ops.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/shape_ops.onnx --mlir-print-local-scope | FileCheck %s --check-prefix=IR
// IR:      arith.select
// Expand [3, 1] -> [2, 3, 4]: the size-1 dim reads index 0.
// IR:      affine_map<(d0, d1, d2) -> (d1, 0)>
// Shape folds to a constant; ConstantOfShape of it is a constant too.
// IR:      arith.constant dense_resource<k> : tensor<2x3x4xf32>
// Slice/Neg/Concat of constant shapes fold: the Reshape sees [2, 12].
// IR-NOT:  tensor.extract_slice
// IR:      tensor.collapse_shape {{.*}} : tensor<2x3x4xf32> into tensor<2x12xf32>
// IR:      arith.constant dense<[3, 4]> : tensor<2xi64>
// IR:      arith.constant dense<7> : tensor<3x4xi32>
// RUN: lowbit-run %t/shape_ops.mlir --input=%S/Inputs/shape_ops_in0.npy --input=%S/Inputs/shape_ops_in1.npy --input=%S/Inputs/shape_ops_in2.npy --input=%S/Inputs/shape_ops_in3.npy --expected=%S/Inputs/shape_ops_out0.npy --expected=%S/Inputs/shape_ops_out1.npy --expected=%S/Inputs/shape_ops_out2.npy --expected=%S/Inputs/shape_ops_out3.npy --expected=%S/Inputs/shape_ops_out4.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN5

// Slice: steps > 1, negative starts/ends, clamped ends and INT64_MIN, axes
// given negatively, negative steps (a generic) and no axes/steps.
// RUN: lowbit-translate --import-onnx %S/Inputs/slice.onnx -o %t/slice.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/slice.onnx --mlir-print-local-scope | FileCheck %s --check-prefix=SLICE
// SLICE: tensor.extract_slice %arg0[1, 2, 0] [2, 3, 5] [2, 1, 1]
// SLICE: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1 * -3 + 4, d2 * -2 + 4)>
// SLICE: tensor.extract_slice %arg0[0, 2, 2] [3, 1, 3] [1, 1, 1]
// RUN: lowbit-run %t/slice.mlir --input=%S/Inputs/slice_in0.npy --expected=%S/Inputs/slice_out0.npy --expected=%S/Inputs/slice_out1.npy --expected=%S/Inputs/slice_out2.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN3

// RUN5-NOT: FAIL
// RUN5-COUNT-5: [PASS]
// RUN3-NOT: FAIL
// RUN3-COUNT-3: [PASS]
