// ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp,
// ReduceMin and ReduceProd import as reduction linalg.generics over a
// linalg.fill of the identity, and run against numpy references (models from
// Inputs/make_shape_models.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/reductions.onnx -o %t/reductions.mlir
// RUN: lowbit-translate --import-onnx %S/Inputs/reductions.onnx --mlir-print-local-scope | FileCheck %s

// ReduceSumSquare axes [1], keepdims: x * x summed, then [3, 1, 5].
// CHECK:      linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0 : tensor<3x4x5xf32>) outs(%{{.*}} : tensor<3x5xf32>)
// CHECK:        %[[SQ:.*]] = arith.mulf %in, %in : f32
// CHECK-NEXT:   arith.addf %[[SQ]], %out : f32
// CHECK:      tensor.expand_shape {{.*}} : tensor<3x5xf32> into tensor<3x1x5xf32>
// ReduceL1 axes [-1, 0]: |x| summed.
// CHECK:      iterator_types = ["reduction", "parallel", "reduction"]
// CHECK:        math.absf
// ReduceL2: sqrt of the sum of squares.
// CHECK:        arith.mulf %in, %in : f32
// CHECK:        math.sqrt
// ReduceLogSum: log of the sum.
// CHECK:      iterator_types = ["reduction", "reduction", "parallel"]
// CHECK:        math.log
// ReduceLogSumExp over all axes: max + log(sum(exp(x - max))).
// CHECK:      arith.constant 0xFF800000 : f32
// CHECK:        arith.maximumf
// CHECK:        arith.subf
// CHECK-NEXT:   math.exp
// CHECK:        math.log
// CHECK-NEXT:   arith.addf
// ReduceMin from +inf, ReduceProd from 1.
// CHECK:      arith.constant 0x7F800000 : f32
// CHECK:        arith.minimumf %in, %out : f32
// CHECK:      arith.constant 1.000000e+00 : f32
// CHECK:        arith.mulf %in, %out : f32
// Integer ReduceMin starts at INT32_MAX and compares signed.
// CHECK:      arith.constant 2147483647 : i32
// CHECK:        arith.minsi %in, %out : i32
// CHECK:        arith.muli %in, %out : i32

// The f32 sums run in a different order than numpy's pairwise summation:
// a few results differ in the last bit (rtol 1e-6 is 8 ulp); the integer
// results and the max/min/prod-based ones match exactly at that tolerance.
// RUN: lowbit-run %t/reductions.mlir --input=%S/Inputs/reductions_in0.npy --input=%S/Inputs/reductions_in1.npy --expected=%S/Inputs/reductions_out0.npy --expected=%S/Inputs/reductions_out1.npy --expected=%S/Inputs/reductions_out2.npy --expected=%S/Inputs/reductions_out3.npy --expected=%S/Inputs/reductions_out4.npy --expected=%S/Inputs/reductions_out5.npy --expected=%S/Inputs/reductions_out6.npy --expected=%S/Inputs/reductions_out7.npy --expected=%S/Inputs/reductions_out8.npy --atol=0 --rtol=1e-6 | FileCheck %s --check-prefix=RUN9
// RUN9-NOT: FAIL
// RUN9-COUNT-9: [PASS]
