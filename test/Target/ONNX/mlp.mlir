// An MLP (Gemm with transB + Relu + MatMul + Add) imports into func/linalg
// with ONNX names kept and one location per node, then runs end to end.
//
// The expected output mlp_y.npy is computed by make_models.py with numpy in
// float32 (x @ w1.T + b1, relu, @ w2 + b2). The JIT computes the same sums in
// the same order of magnitude; rtol 1e-5 / atol 1e-6 allow for the different
// summation order of the float32 dot products (16 and 8 terms of |x| <= 1).

// RUN: lowbit-translate --import-onnx %S/Inputs/mlp.onnx --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<2x8xf32> {onnx.name = "x"}
// CHECK-SAME:    -> (tensor<2x4xf32> {onnx.name = "y"})
// CHECK:       %[[W1:.*]] = arith.constant dense_resource<w1> : tensor<16x8xf32> loc("w1"(
// Gemm transB: a contraction generic reading the constant as [N, K].
// CHECK:       linalg.generic {{.*}}affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>{{.*}}ins(%[[X]], %[[W1]] :
// CHECK:       loc("fc1"(
// CHECK:       dense<{{.*}}> : tensor<16xf32>
// CHECK:       arith.maximumf
// CHECK:       loc("relu1"(
// CHECK:       %[[W2:.*]] = arith.constant dense_resource<w2> : tensor<16x4xf32>
// CHECK:       linalg.matmul ins(%{{.*}}, %[[W2]] : tensor<2x16xf32>, tensor<16x4xf32>) {{.*}} loc("fc2"(
// b2 is stored in float_data rather than raw_data (and, 4 values, inline).
// CHECK:       dense<{{.*}}> : tensor<4xf32>
// CHECK:       loc("fc2_bias"(

// RUN: lowbit-translate --import-onnx %S/Inputs/mlp.onnx | FileCheck %s --check-prefix=RES
// RES: dialect_resources
// RES: w2: "0x08000000

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/mlp.onnx -o %t/mlp.mlir
// RUN: lowbit-run %t/mlp.mlir --input=%S/Inputs/mlp_x.npy --expected=%S/Inputs/mlp_y.npy --rtol=1e-5 --atol=1e-6 | FileCheck %s --check-prefix=JIT
// JIT-NOT: FAIL
// JIT: output 0: {{.*}}[PASS]

// Bytecode output round-trips through lowbit-opt.
// RUN: lowbit-translate --import-onnx %S/Inputs/mlp.onnx --emit-bytecode -o %t/mlp.mlirbc
// RUN: lowbit-opt %t/mlp.mlirbc | FileCheck %s --check-prefix=BC
// BC: linalg.matmul
