// Every error prints one diagnostic, exits 1 and leaves no output file.

// RUN: rm -rf %t && mkdir -p %t

// RUN: not lowbit-translate --import-onnx %S/Inputs/does-not-exist.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: cannot open '{{.*}}does-not-exist.onnx': No such file or directory
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/truncated.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: error: '{{.*}}truncated.onnx' is not a valid ONNX model (protobuf parse failed: truncated or corrupt file)
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/bitflipped.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=FLIP
// FLIP: error: '{{.*}}bitflipped.onnx' is not a valid ONNX model
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/unsupported_op.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=OP
// OP: error: node 'hardmax': op type 'Hardmax' of domain 'ai.onnx' (opset 17) is not supported
// RUN: not lowbit-translate --import-onnx %S/Inputs/unsupported_op.onnx --mlir-print-debuginfo 2>&1 | FileCheck %s --check-prefix=OPLOC
// OPLOC: unsupported_op.onnx:0:0: error: node 'hardmax'
// RUN: not ls %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/unsupported_type.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=TYPE
// TYPE: error: graph input 'x' has unsupported data type STRING

// RUN: not lowbit-translate --import-onnx %S/Inputs/dynamic.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: error: graph input 'x' has a dynamic dimension 0 ('batch'); fix it with --input-shape=x:Nx8
// RUN: not ls %t/out.mlir

// --input-shape fixes the dim; shape inference carries it to the output.
// RUN: lowbit-translate --import-onnx %S/Inputs/dynamic.onnx --input-shape=x:4x8 -o %t/out.mlir
// RUN: FileCheck %s --check-prefix=FIXED < %t/out.mlir
// FIXED: func.func @main(%arg0: tensor<4x8xf32> {onnx.name = "x"}) -> (tensor<4x8xf32> {onnx.name = "y"})

// A failing import leaves an existing output file as it was.
// RUN: not lowbit-translate --import-onnx %S/Inputs/dynamic.onnx -o %t/out.mlir
// RUN: FileCheck %s --check-prefix=FIXED < %t/out.mlir

// RUN: not lowbit-translate --import-onnx %S/Inputs/dynamic.onnx --input-shape=y:4x8 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: error: --input-shape names 'y', which is not a graph input
// RUN: not lowbit-translate --import-onnx %S/Inputs/dynamic.onnx --input-shape=x:4x9 2>&1 | FileCheck %s --check-prefix=CONFLICT
// CONFLICT: error: --input-shape gives dim 1 of input 'x' as 9, but the model fixes it to 8
// RUN: not lowbit-translate --import-onnx %S/Inputs/dynamic.onnx --input-shape=x:4xq 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: error: --input-shape: 'q' in 'x:4xq' is not a dimension size

// No temporary files are left behind.
// RUN: ls %t | count 1
