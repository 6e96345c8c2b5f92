// lowbit-run --calibrate: bad sample directories and statistics files give
// an error naming what is wrong, and no statistics file is left behind.
// RUN: rm -rf %t && mkdir -p %t/samples %t/empty %t/bad %t/nested/s0 %t/nested/s1 %t/missing/s0
// RUN: %python %S/Inputs/make_npy.py %t/samples/a.npy --shape=2x4 --random=1
// RUN: %python %S/Inputs/make_npy.py %t/samples/b.npy --shape=2x4 --values=3
// RUN: %python %S/Inputs/make_npy.py %t/bad/a.npy --shape=2x4 --random=1
// RUN: %python %S/Inputs/make_npy.py %t/bad/b.npy --shape=2x5 --random=2
// RUN: %python %S/Inputs/make_npy.py %t/bad/c.npy --shape=2x4 --dtype=f8 --random=2

// The per-sample directory layout: DIR/<sample>/input_0.npy.
// RUN: cp %t/samples/a.npy %t/nested/s0/input_0.npy
// RUN: cp %t/samples/b.npy %t/nested/s1/input_0.npy
// RUN: lowbit-run %s --calibrate=%t/nested --stats=%t/nested.json 2>/dev/null
// RUN: FileCheck %s --check-prefix=NESTED < %t/nested.json
// NESTED: "samples": 2,
// NESTED: "fc": {
// NESTED: "max": 3,

// A sample of the wrong shape names the file; nothing is written.
// RUN: not lowbit-run %s --calibrate=%t/bad --stats=%t/bad.json 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not test -e %t/bad.json
// SHAPE: error: sample '{{.*}}bad/b.npy': argument 0 of @main is tensor<2x4xf32>, got float32 array of shape (2, 5)
// RUN: rm %t/bad/b.npy
// RUN: not lowbit-run %s --calibrate=%t/bad --stats=%t/bad.json 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: sample '{{.*}}bad/c.npy': argument 0 of @main is tensor<2x4xf32>, got float64 array of shape (2, 4)

// RUN: not lowbit-run %s --calibrate=%t/empty --stats=%t/empty.json 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: --calibrate '{{.*}}empty' holds no samples (no subdirectory and no .npy file)
// RUN: not lowbit-run %s --calibrate=%t/missing --stats=%t/m.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: sample '{{.*}}missing/s0' has no 'input_0.npy' (the entry takes 1 argument(s))
// RUN: not lowbit-run %s --calibrate=%t/nope --stats=%t/m.json 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: error: --calibrate '{{.*}}nope' is not a directory

// An unwritable statistics file fails before anything runs.
// RUN: not lowbit-run %s --calibrate=%t/samples --stats=%t/no/such/dir/s.json 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: error: cannot write --stats '{{.*}}no/such/dir/s.json':
// RUN: not test -e %t/no

// A model without observers, and options that do not go together.
// RUN: not lowbit-run %S/silu-mlp.mlir --calibrate=%t/samples --stats=%t/s.json 2>&1 | FileCheck %s --check-prefix=NOOBS
// NOOBS: error: '{{.*}}silu-mlp.mlir' has no lowbit.observe ops to calibrate; instrument it first with lowbit-opt --lowbit-insert-observers
// RUN: not lowbit-run %s --stats=%t/s.json 2>&1 | FileCheck %s --check-prefix=PAIR
// PAIR: error: --calibrate=DIR and --stats=FILE go together
// RUN: not lowbit-run %s --calibrate=%t/samples --stats=%t/s.json --input=%t/samples/a.npy 2>&1 | FileCheck %s --check-prefix=MIX
// MIX: error: --calibrate takes its inputs from DIR

func.func @main(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %zero = arith.constant dense<0.0> : tensor<2x2xf32>
  %o = lowbit.observe %x id "fc" stats [min_max] : tensor<2x4xf32>
  %y = linalg.matmul ins(%o, %w : tensor<2x4xf32>, tensor<4x2xf32>) outs(%zero : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
