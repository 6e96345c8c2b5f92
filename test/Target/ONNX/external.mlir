// An initializer with external data (location, offset 64, length) becomes
// a dense_resource holding exactly those bytes, mapped from external.bin.

// RUN: lowbit-translate --import-onnx %S/Inputs/external.onnx | FileCheck %s
// CHECK: %[[W:.*]] = arith.constant dense_resource<w> : tensor<8x4xf32>
// CHECK: linalg.matmul ins(%arg0, %[[W]] : tensor<2x8xf32>, tensor<8x4xf32>)
// The first weight is 0.9458 (f32 0x3F722281, little-endian bytes).
// CHECK: w: "0x080000008122723F

// A length reaching past the end of the data file is an error.
// RUN: not lowbit-translate --import-onnx %S/Inputs/external_bad.onnx 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: external data of tensor 'w' (offset 64, length 256) lies outside '{{.*}}external.bin' of 192 bytes
