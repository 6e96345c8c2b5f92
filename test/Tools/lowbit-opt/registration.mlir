// lowbit-opt registers the upstream dialects a user of model IR needs, the
// lowbit dialect, and lowbit's passes and pipelines.
// RUN: lowbit-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// RUN: lowbit-opt --help | FileCheck %s --check-prefix=PASSES

// DIALECTS: Available Dialects:
// DIALECTS-SAME: arith
// DIALECTS-SAME: bufferization
// DIALECTS-SAME: func
// DIALECTS-SAME: gpu
// DIALECTS-SAME: linalg
// DIALECTS-SAME: llvm
// DIALECTS-SAME: lowbit
// DIALECTS-SAME: math
// DIALECTS-SAME: memref
// DIALECTS-SAME: nvvm
// DIALECTS-SAME: quant
// DIALECTS-SAME: scf
// DIALECTS-SAME: tensor
// DIALECTS-SAME: tosa
// DIALECTS-SAME: vector
// DIALECTS-SAME: x86vector

// PASSES-DAG: --lowbit-quantize-weights
// PASSES-DAG: --lowbit-quantize-activations
// PASSES-DAG: --lowbit-fuse-dequant-matmul
// PASSES-DAG: --lowbit-import-quant
// PASSES-DAG: --lowbit-export-quant
// PASSES-DAG: --lowbit-lower-to-linalg
// PASSES-DAG: --lowbit-w8a8
// PASSES-DAG: --lowbit-w8a16
// PASSES-DAG: --lowbit-w4a16
// PASSES-DAG: --lowbit-nf4
// PASSES-DAG: --lowbit-fp8
// PASSES-DAG: --lowbit-lower-to-cpu
// PASSES-DAG: --one-shot-bufferize
// PASSES-DAG: --convert-linalg-to-loops
