// Unsupported forms of MatMulNBits, Slice and MatMulInteger print one
// diagnostic naming the node, exit 1 and leave no output file
// (models from Inputs/make_shape_models.py).

// RUN: rm -rf %t && mkdir -p %t

// RUN: not lowbit-translate --import-onnx %S/Inputs/nbits_bits8.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: node 'mm8' (MatMulNBits, domain 'com.microsoft', opset 1): bits = 8 is not supported (only 4)
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/slice_step0.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: node 'slice0' (Slice, domain 'ai.onnx', opset 17): step must not be 0
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/mmi_per_row_zp.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=ZP
// ZP: error: node 'mmi_rows' (MatMulInteger, domain 'ai.onnx', opset 17): only a per-tensor (uniform) zero-point is supported for input 0
// RUN: not ls %t/out.mlir
