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

// QLinearMatMul whose activation scale is a graph input: A and B widened
// to i32 minus their zero-points, an exact i32 contraction, then
// roundeven((sa * sb) * acc / sy) + zy clamped to int8.
// CHECK:      %[[AC:.*]] = linalg.generic {{.*}} ins(%arg2, %{{.*}} : tensor<3x8xi8>, tensor<i8>) outs(%{{.*}} : tensor<3x8xi32>)
// CHECK:        arith.subi
// CHECK:      %[[BC:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<8x4xi8>, tensor<i8>) outs(%{{.*}} : tensor<8x4xi32>)
// CHECK:      %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[AC]], %[[BC]] : tensor<3x8xi32>, tensor<8x4xi32>) outs(%{{.*}} : tensor<3x4xi32>)
// CHECK:        arith.muli
// CHECK:      linalg.generic {{.*}} ins(%[[ACC]], %arg3, {{.*}} outs(%{{.*}} : tensor<3x4xi8>)
// CHECK:        %[[SASB:.*]] = arith.mulf %in_{{[0-9]+}}, %in_{{[0-9]+}} : f32
// CHECK:        arith.mulf %{{.*}}, %[[SASB]] : f32
// CHECK:        math.roundeven
// CHECK:        arith.constant -1.280000e+02 : f32
// CHECK:        arith.constant 1.270000e+02 : f32

// QuantizeLinear / DequantizeLinear with the run-time scale as an operand.
// CHECK:      %[[Q:.*]] = lowbit.quantize %arg0 as #lowbit.scheme<i8, affine> scales(%arg3 : tensor<1xf32>) zero_points(%{{.*}} : tensor<i32>)
// CHECK:      lowbit.dequantize %[[Q]] as #lowbit.scheme<i8, affine> scales(%arg3 : tensor<1xf32>)

// RUN: lowbit-run %t/quant_ops.mlir --input=%S/Inputs/quant_ops_in0.npy --input=%S/Inputs/quant_ops_in1.npy --input=%S/Inputs/quant_ops_in2.npy --input=%S/Inputs/quant_ops_in3.npy --expected=%S/Inputs/quant_ops_out0.npy --expected=%S/Inputs/quant_ops_out1.npy --expected=%S/Inputs/quant_ops_out2.npy --expected=%S/Inputs/quant_ops_out3.npy --expected=%S/Inputs/quant_ops_out4.npy --expected=%S/Inputs/quant_ops_out5.npy --expected=%S/Inputs/quant_ops_out6.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN7
// RUN7-NOT: FAIL
// RUN7-COUNT-7: [PASS]

// QLinearMatMul with per-column B parameters (constants): lowbit.matmul
// whose B^T scheme is per axis 0 (N) with the scales and zero-points as
// dense_resource tensors. A per-row A scale that is a graph input ([3]) is
// read as [3, 1] by the generic form.
// RUN: lowbit-translate --import-onnx %S/Inputs/qlinear_channels.onnx -o %t/qlinear_channels.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/qlinear_channels.onnx --mlir-print-local-scope | FileCheck %s --check-prefix=CHAN
// CHAN:      lowbit.matmul %arg0, %{{.*}} lhs(as #lowbit.scheme<u8, affine> scales(2.000000e-02 : f32) zero_points(128 : i32)) rhs(as #lowbit.scheme<u8, axis = 0, affine> scales(dense_resource<sb> : tensor<4xf32>) zero_points(dense_resource<zb> : tensor<4xi32>)) requantize(as #lowbit.scheme<u8, affine> scales(2.500000e-01 : f32) zero_points(128 : i32)) : tensor<3x8xi8>, tensor<4x8xi8> -> tensor<3x4xi8>
// CHAN:      tensor.expand_shape %arg2 {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHAN:      linalg.generic {{.*}} -> (d1, 0)>
// CHAN-SAME:   ins(%arg1, %{{.*}} : tensor<2x3x8xi8>, tensor<3x1xi8>)
// RUN: lowbit-run %t/qlinear_channels.mlir --input=%S/Inputs/qlinear_channels_in0.npy --input=%S/Inputs/qlinear_channels_in1.npy --input=%S/Inputs/qlinear_channels_in2.npy --expected=%S/Inputs/qlinear_channels_out0.npy --expected=%S/Inputs/qlinear_channels_out1.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN2
// RUN2-NOT: FAIL
// RUN2-COUNT-2: [PASS]

// DynamicQuantizeLinear of a scalar: lowbit.quantize runs on it as [1].
// RUN: lowbit-translate --import-onnx %S/Inputs/dql_scalar.onnx -o %t/dql_scalar.mlir
// RUN: FileCheck %s --check-prefix=SCALAR < %t/dql_scalar.mlir
// SCALAR:      %[[X1:.*]] = tensor.expand_shape %arg0 [] output_shape [1] : tensor<f32> into tensor<1xf32>
// SCALAR-NEXT: %[[Q:.*]] = lowbit.quantize %[[X1]] as #lowbit.scheme<u8, affine>
// SCALAR-NEXT: tensor.collapse_shape %[[Q]] [] : tensor<1xi8> into tensor<i8>
// RUN: lowbit-run %t/dql_scalar.mlir --input=%S/Inputs/dql_scalar_in0.npy --expected=%S/Inputs/dql_scalar_out0.npy --expected=%S/Inputs/dql_scalar_out1.npy --expected=%S/Inputs/dql_scalar_out2.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN3
// RUN3-NOT: FAIL
// RUN3-COUNT-3: [PASS]

// A batched QLinearMatMul ([2, 3, 8] x [2, 8, 5]) with constant parameters:
// lowbit.matmul over B transposed per batch to [2, 5, 8].
// RUN: lowbit-translate --import-onnx %S/Inputs/qlinear_batched.onnx -o %t/qlinear_batched.mlir
// RUN: FileCheck %s --check-prefix=BATCH < %t/qlinear_batched.mlir
// BATCH:      %[[BT:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x8x5xi8>) outs(%{{.*}} : tensor<2x5x8xi8>) permutation = [0, 2, 1]
// BATCH-NEXT: lowbit.matmul %arg0, %[[BT]] lhs(as #lowbit.scheme<u8, affine> {{.*}} requantize(as #lowbit.scheme<i8, affine> {{.*}} : tensor<2x3x8xi8>, tensor<2x5x8xi8> -> tensor<2x3x5xi8>
// RUN: lowbit-run %t/qlinear_batched.mlir --input=%S/Inputs/qlinear_batched_in0.npy --expected=%S/Inputs/qlinear_batched_out0.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN1
// RUN1-NOT: FAIL
// RUN1: [PASS]
