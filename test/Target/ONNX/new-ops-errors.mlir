// Unsupported forms of MatMulNBits, Slice, Pad, Expand, Split and
// QLinearMatMul print one diagnostic naming the node, its op type,
// domain and opset, exit 1 and leave no output file (models from
// Inputs/make_shape_models.py).

// RUN: rm -rf %t && mkdir -p %t

// RUN: not lowbit-translate --import-onnx %S/Inputs/nbits_bits8.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: node 'mm8' (MatMulNBits, domain 'com.microsoft', opset 1): bits = 8 is not supported (only 4)
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/slice_step0.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=STEP
// STEP: error: node 'slice0' (Slice, domain 'ai.onnx', opset 17): step must not be 0
// RUN: not ls %t/out.mlir


// Pads that are a graph input cannot be known at import time: the error
// names the node, op, domain, opset and the input.
// RUN: not lowbit-translate --import-onnx %S/Inputs/pad_runtime_pads.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=PADS
// PADS: error: node 'pad_dyn' (Pad, domain 'ai.onnx', opset 17): input 1 (pads) 'pads' must be a constant (initializer, Constant node, or folded shape arithmetic), but it is a graph input
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/expand_runtime_shape.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=EXPAND
// EXPAND: error: node 'expand_dyn' (Expand, domain 'ai.onnx', opset 17): input 1 (shape) 'shape' must be a constant {{.*}} but it is a graph input
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/slice_runtime_starts.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=STARTS
// STARTS: error: node 'slice_dyn' (Slice, domain 'ai.onnx', opset 17): input 1 (starts) 'starts' must be a constant {{.*}} but it is a graph input
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/reshape_runtime_shape.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=RESHAPE
// RESHAPE: error: node 'reshape_dyn' (Reshape, domain 'ai.onnx', opset 17): input 1 (shape) 'shape' must be a constant {{.*}} but it is a graph input, and ONNX shape inference gave no static result shape
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/pad_bad_mode.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: error: node 'pad_mode' (Pad, domain 'ai.onnx', opset 17): mode = 'mirror' is not supported
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/split_uneven.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=SPLIT
// SPLIT: error: node 'split_odd' (Split, domain 'ai.onnx', opset 17): dimension 1 of size 5 does not split into 2 equal parts
// RUN: not ls %t/out.mlir

// QLinearMatMul's output scale must be per tensor.
// RUN: not lowbit-translate --import-onnx %S/Inputs/qlinear_y_per_row.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=YROWS
// YROWS: error: node 'qlmm_y_rows' (QLinearMatMul, domain 'ai.onnx', opset 17): input 6 (scale) must be per tensor (one element), got 'tensor<2xf32>'
// RUN: not ls %t/out.mlir

// A node without outputs is rejected before ONNX's shape inference sees it.
// RUN: not lowbit-translate --import-onnx %S/Inputs/split_no_outputs.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: error: node 'split_none' (Split) has no outputs
// RUN: not ls %t/out.mlir
