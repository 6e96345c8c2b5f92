// com.microsoft MatMulNBits (4 bits, block 16) imports as
// lowbit.dequant_matmul over a flat [N, K] u4 blob and runs against a numpy
// reference of the operator's definition (Inputs/make_shape_models.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: lowbit-translate --import-onnx %S/Inputs/matmul_nbits.onnx -o %t/nbits.mlir
// RUN: FileCheck %s --input-file=%t/nbits.mlir
// CHECK: %[[W:.*]] = arith.constant dense_resource<B> : tensor<8x32xi4>
// CHECK: lowbit.dequant_matmul %arg0, %[[W]] as #lowbit.scheme<u4, group = 16, axis = 1, affine> scales(dense_resource<scales> : tensor<8x2xf32>) zero_points(dense_resource<zp> : tensor<8x2xi32>) : tensor<2x3x32xf32>, tensor<8x32xi4> -> tensor<2x3x8xf32>
// Without zero_points: the default zero-point 8; a 1-D activation goes
// through [1, K].
// CHECK: tensor.expand_shape %arg1 {{\[\[}}0, 1]] output_shape [1, 32]
// CHECK: lowbit.dequant_matmul {{.*}} zero_points(dense_resource<B.zero_points> : tensor<8x2xi32>) bias(
// The ONNX B bytes are the row-major [N, K] codes, element 2i in the low
// nibble: copied unchanged (codes 1, 1, 0xE, 8, ... after the alignment).
// CHECK: B: "0x08000000118EFAE6
// RUN: lowbit-run %t/nbits.mlir --input=%S/Inputs/matmul_nbits_in0.npy --input=%S/Inputs/matmul_nbits_in1.npy --expected=%S/Inputs/matmul_nbits_out0.npy --expected=%S/Inputs/matmul_nbits_out1.npy --rtol=1e-5 --atol=1e-6 | FileCheck %s --check-prefix=JIT
// JIT-NOT: FAIL
// JIT-COUNT-2: [PASS]
