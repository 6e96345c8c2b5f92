// Elementwise ops become linalg.generic; broadcasting is explicit in the
// indexing maps (b: tensor<3xf32> is read through (d0, d1) -> (d1), the
// scalar exponent through (d0, d1) -> ()).

// RUN: lowbit-translate --import-onnx %S/Inputs/elementwise.onnx | FileCheck %s
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[A:.*]]: tensor<2x3xf32> {onnx.name = "a"}, %[[B:.*]]: tensor<3xf32> {onnx.name = "b"})
// CHECK-SAME: {onnx.name = "relu"}
// CHECK-SAME: tensor<2x3xi32> {onnx.name = "cast"}
// CHECK: arith.maximumf
// Sigmoid: 1 / (1 + exp(-x)).
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: arith.negf
// CHECK: math.erf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]{{.*}}ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: %[[TWO:.*]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]{{.*}}ins(%[[A]], %[[TWO]]
// CHECK: math.powf
// CHECK: arith.fptosi %{{.*}} : f32 to i32
