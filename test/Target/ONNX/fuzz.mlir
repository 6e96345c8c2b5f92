// Truncated and bit-flipped copies of every test model never crash the
// importer: each run exits 0 (the damage hit only data) or 1 with a
// diagnostic, and a failed run writes no output file.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/fuzz_import.py lowbit-translate %t %S/Inputs/mlp.onnx %S/Inputs/transformer.onnx %S/Inputs/qdq.onnx %S/Inputs/elementwise.onnx %S/Inputs/data_ops.onnx %S/Inputs/quant_ops.onnx | FileCheck %s
// CHECK: fuzz: {{[0-9]+}} runs, {{[0-9]+}} imported, {{[0-9]+}} rejected, 0 crashed
