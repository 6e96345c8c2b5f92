// DynamicQuantizeLinear, QLinearMatMul and QuantizeLinear/DequantizeLinear
// with a scale known only at run time import onto lowbit ops where they fit
// and run against numpy references (models from
// Inputs/make_shape_models.py). All results are exact: the references
// compute in f32 in the same order.

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/quant_ops.onnx -o %t/quant_ops.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/quant_ops.onnx --mlir-print-local-scope | FileCheck %s

// DynamicQuantizeLinear: min and max reductions, s = (max(0, hi) -
// min(0, lo)) / 255 (1 when 0), z = clamp(roundeven(-lo / s), 0, 255), then
// lowbit.quantize with those run-time parameters.
// CHECK-LABEL: func.func @main(
// CHECK:      arith.minimumf %in, %out
// CHECK:      arith.maximumf %in, %out
// CHECK:      %[[RANGE:.*]] = arith.subf
// CHECK:      %[[S:.*]] = arith.divf %[[RANGE]], %{{.*}} : f32
// CHECK:      %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[S]] : f32
// CHECK:      math.roundeven
// CHECK:      %[[Z:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK:      %[[ST:.*]] = tensor.from_elements %[[SAFE]] : tensor<f32>
// CHECK:      %[[ZT:.*]] = tensor.from_elements %[[Z]] : tensor<i32>
// CHECK:      lowbit.quantize %arg0 as #lowbit.scheme<u8, affine> scales(%[[ST]] : tensor<f32>) zero_points(%[[ZT]] : tensor<i32>) : tensor<3x5xf32> -> tensor<3x5xi8>

// QLinearMatMul with constant parameters: lowbit.matmul over B^T with a
// requantizing epilogue (the int8 weight's zero-point 0 makes it symmetric).
// CHECK:      %[[BT:.*]] = linalg.transpose ins(%{{.*}} : tensor<8x4xi8>) outs(%{{.*}} : tensor<4x8xi8>) permutation = [1, 0]
// CHECK-NEXT: lowbit.matmul %arg1, %[[BT]] lhs(as #lowbit.scheme<u8, affine> scales(2.000000e-02 : f32) zero_points(120 : i32)) rhs(as #lowbit.scheme<i8> scales(0.00999999977 : f32)) requantize(as #lowbit.scheme<u8, affine> scales(5.000000e-01 : f32) zero_points(100 : i32)) : tensor<2x3x8xi8>, tensor<4x8xi8> -> tensor<2x3x4xi8>

// QLinearMatMul whose activation scale is a graph input: an exact i32
// contraction, then roundeven((sa * sb) * acc / sy) + zy clamped to int8.
// CHECK:      linalg.generic {{.*}} ins(%arg2, %{{.*}} : tensor<3x8xi8>, tensor<8x4xi8>) outs(%{{.*}} : tensor<3x4xi32>)
// CHECK:        arith.subi
// CHECK:        arith.muli
// CHECK:      %[[SA:.*]] = tensor.extract %arg3[%{{.*}}] : tensor<1xf32>
// CHECK:      arith.mulf %[[SA]], %{{.*}} : f32
// CHECK:      linalg.generic {{.*}} ins(%{{.*}} : tensor<3x4xi32>) outs(%{{.*}} : tensor<3x4xi8>)
// CHECK:        math.roundeven
// CHECK:        arith.constant -1.280000e+02 : f32
// CHECK:        arith.constant 1.270000e+02 : f32

// QuantizeLinear / DequantizeLinear with the run-time scale as an operand.
// CHECK:      %[[Q:.*]] = lowbit.quantize %arg0 as #lowbit.scheme<i8, affine> scales(%arg3 : tensor<1xf32>) zero_points(%{{.*}} : tensor<i32>)
// CHECK:      lowbit.dequantize %[[Q]] as #lowbit.scheme<i8, affine> scales(%arg3 : tensor<1xf32>)

// RUN: lowbit-run %t/quant_ops.mlir --input=%S/Inputs/quant_ops_in0.npy --input=%S/Inputs/quant_ops_in1.npy --input=%S/Inputs/quant_ops_in2.npy --input=%S/Inputs/quant_ops_in3.npy --expected=%S/Inputs/quant_ops_out0.npy --expected=%S/Inputs/quant_ops_out1.npy --expected=%S/Inputs/quant_ops_out2.npy --expected=%S/Inputs/quant_ops_out3.npy --expected=%S/Inputs/quant_ops_out4.npy --expected=%S/Inputs/quant_ops_out5.npy --expected=%S/Inputs/quant_ops_out6.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN7
// RUN7-NOT: FAIL
// RUN7-COUNT-7: [PASS]
