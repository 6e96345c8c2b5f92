// Max, Min, Sum and Mean of one to three inputs import as a chain of
// broadcasting elementwise generics (Mean: the sum divided by n; uint8
// compared unsigned) and run against numpy (Inputs/make_shape_models.py).
// Every result is exact: numpy adds in the same order.

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/variadic.onnx -o %t/variadic.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/variadic.onnx --mlir-print-local-scope | FileCheck %s

// Max of [2, 3], [3] and [1, 3]: two generics; the second reads c at row 0.
// CHECK:      %[[M1:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>)
// CHECK:        arith.maximumf
// CHECK:      %[[M2:.*]] = linalg.generic {{.*}} affine_map<(d0, d1) -> (0, d1)>
// CHECK-SAME:   ins(%[[M1]], %arg2 : tensor<2x3xf32>, tensor<1x3xf32>)
// CHECK:        arith.maximumf
// Min of one input is the input; Sum of three is two additions.
// CHECK:      ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>)
// CHECK:        arith.addf
// CHECK:        arith.addf
// Mean of two: add, then divide by 2.
// CHECK:        arith.addf
// CHECK:      %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK:        arith.divf %in, %[[TWO]] : f32
// CHECK:        arith.maxui %in, %in_{{[0-9]+}} : i8
// CHECK:      return %[[M2]], %arg0,

// RUN: lowbit-run %t/variadic.mlir --input=%S/Inputs/variadic_in0.npy --input=%S/Inputs/variadic_in1.npy --input=%S/Inputs/variadic_in2.npy --input=%S/Inputs/variadic_in3.npy --input=%S/Inputs/variadic_in4.npy --expected=%S/Inputs/variadic_out0.npy --expected=%S/Inputs/variadic_out1.npy --expected=%S/Inputs/variadic_out2.npy --expected=%S/Inputs/variadic_out3.npy --expected=%S/Inputs/variadic_out4.npy --atol=0 --rtol=0 | FileCheck %s --check-prefix=RUN5
// RUN5-NOT: FAIL
// RUN5-COUNT-5: [PASS]
