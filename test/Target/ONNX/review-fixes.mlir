// Imported models that once gave wrong numbers or failed to import, run
// against numpy references (Inputs/make_review_models.py):
// uint8 Max/ReduceMax compare unsigned; MatMul with 1-D operands; a Cast
// between f16 and bf16 goes through f32.
// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/max_u8.onnx -o %t/max_u8.mlir
// RUN: lowbit-run %t/max_u8.mlir --input=%S/Inputs/max_u8_in0.npy --input=%S/Inputs/max_u8_in1.npy --expected=%S/Inputs/max_u8_out0.npy --atol=0 --rtol=0 | FileCheck %s
// RUN: lowbit-translate --import-onnx %S/Inputs/reducemax_u8.onnx -o %t/reducemax_u8.mlir
// RUN: lowbit-run %t/reducemax_u8.mlir --input=%S/Inputs/reducemax_u8_in0.npy --expected=%S/Inputs/reducemax_u8_out0.npy --atol=0 --rtol=0 | FileCheck %s
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_1d_2d.onnx -o %t/matmul_1d_2d.mlir
// RUN: lowbit-run %t/matmul_1d_2d.mlir --input=%S/Inputs/matmul_1d_2d_in0.npy --input=%S/Inputs/matmul_1d_2d_in1.npy --expected=%S/Inputs/matmul_1d_2d_out0.npy --rtol=1e-5 --atol=1e-6 | FileCheck %s
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_3d_1d.onnx -o %t/matmul_3d_1d.mlir
// RUN: lowbit-run %t/matmul_3d_1d.mlir --input=%S/Inputs/matmul_3d_1d_in0.npy --input=%S/Inputs/matmul_3d_1d_in1.npy --expected=%S/Inputs/matmul_3d_1d_out0.npy --rtol=1e-5 --atol=1e-6 | FileCheck %s
// RUN: lowbit-translate --import-onnx %S/Inputs/cast_f16_bf16.onnx -o %t/cast.mlir
// RUN: lowbit-run %t/cast.mlir --input=%S/Inputs/cast_f16_bf16_in0.npy --expected=%S/Inputs/cast_f16_bf16_out0.npy --atol=0 --rtol=0 | FileCheck %s

// CHECK: output 0: max_abs={{.*}} [PASS]
