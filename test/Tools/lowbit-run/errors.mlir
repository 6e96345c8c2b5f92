// Every error names the file, input, output or function at fault and what
// was expected, exits 1 and writes no output file.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --shape=2x4 --values=1
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --shape=4 --values=2

// Wrong number of inputs.
// RUN: not lowbit-run %s --input=%t/a.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --input=%t/b.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=COUNT3
// COUNT: lowbit-run: error: @main takes 2 argument(s) but 1 --input file(s) were given
// COUNT3: lowbit-run: error: @main takes 2 argument(s) but 3 --input file(s) were given

// Wrong shape, wrong dtype.
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/a.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: lowbit-run: error: input 1 ('{{.*}}a.npy'): expected tensor<4xf32>, got float32 array of shape (2, 4)
// RUN: %python %S/Inputs/make_npy.py %t/i8.npy --dtype=i1 --shape=4 --values=1
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/i8.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: lowbit-run: error: input 1 ('{{.*}}i8.npy'): expected tensor<4xf32>, got int8 array of shape (4,)

// Missing, truncated, foreign and Fortran-ordered .npy files.
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: lowbit-run: error: input 1 ('{{.*}}missing.npy'): cannot open: No such file or directory
// RUN: %python %S/Inputs/make_npy.py %t/trunc.npy --shape=4 --values=1 --truncate=3
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/trunc.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: lowbit-run: error: input 1 ('{{.*}}trunc.npy'): truncated data: shape (4,) of float32 needs 16 bytes, the file has 13
// RUN: echo "1 2 3 4" > %t/text.npy
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/text.npy 2>&1 | FileCheck %s --check-prefix=MAGIC
// MAGIC: lowbit-run: error: input 1 ('{{.*}}text.npy'): not a .npy file (bad magic string; expected "\x93NUMPY")
// RUN: %python %S/Inputs/make_npy.py %t/fortran.npy --shape=2x4 --values=1 --fortran
// RUN: not lowbit-run %s --input=%t/fortran.npy --input=%t/b.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: lowbit-run: error: input 0 ('{{.*}}fortran.npy'): fortran_order is True; only C-order arrays are supported

// No such entry function; a declaration; an argument that is no tensor.
// RUN: not lowbit-run %s --entry=forward --input=%t/a.npy 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: lowbit-run: error: no function @forward in '{{.*}}errors.mlir'; functions: @main, @scale, @external, @i4 (choose one with --entry)
// RUN: not lowbit-run %s --entry=external 2>&1 | FileCheck %s --check-prefix=DECL
// DECL: lowbit-run: error: entry function @external in '{{.*}}errors.mlir' is a declaration without a body
// RUN: not lowbit-run %s --entry=scale 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: lowbit-run: error: argument 1 of @scale has type f32; lowbit-run supports ranked tensors (without encoding) of f16, bf16 (as float32 arrays), f32, f64, i1, i8, ui8, i16, i32 and i64
// RUN: not lowbit-run %s --entry=i4 2>&1 | FileCheck %s --check-prefix=I4
// I4: lowbit-run: error: argument 0 of @i4 has type tensor<4xi4>; lowbit-run supports

// Models that cannot be read, parsed or lowered.
// RUN: not lowbit-run %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=NOMODEL
// NOMODEL: lowbit-run: error: cannot open model '{{.*}}missing.mlir': No such file or directory
// RUN: not lowbit-run %S/Inputs/invalid.mlir --input=%t/b.npy 2>&1 | FileCheck %s --check-prefix=BADIR
// BADIR: invalid.mlir:3:10: error: use of undeclared SSA value name
// BADIR: lowbit-run: error: cannot parse model '{{.*}}invalid.mlir'
// RUN: not lowbit-run %S/Inputs/not-bufferizable.mlir --input=%t/b.npy 2>&1 | FileCheck %s --check-prefix=PIPELINE
// PIPELINE: not-bufferizable.mlir:4:8: error: op was not bufferized
// PIPELINE: lowbit-run: error: lowering '{{.*}}not-bufferizable.mlir': lowbit-lower-to-cpu failed (diagnostics above)
// RUN: not lowbit-run %S/Inputs/not-lowered.mlir --input=%t/b.npy 2>&1 | FileCheck %s --check-prefix=LEFTOVER
// LEFTOVER: lowbit-run: error: lowbit-lower-to-cpu left 'gpu.thread_id' at loc("{{.*}}not-lowered.mlir":4:8) in '{{.*}}not-lowered.mlir'; it cannot be translated to LLVM IR

// Inconsistent options.
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/o.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OUTCOUNT
// OUTCOUNT: lowbit-run: error: @main returns 2 result(s) but 1 --output file(s) were given
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/o.npy --output-dir=%t/d 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BOTH
// BOTH: lowbit-run: error: --output and --output-dir cannot be combined
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --opt-level=4 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: lowbit-run: error: --opt-level must be 0, 1, 2 or 3, got 4
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --target-cpu=pentium9 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --threads=-1 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: lowbit-run: error: --threads must be 0 (every hardware thread) or a positive count, got -1
// CPU: lowbit-run: error: unknown --target-cpu 'pentium9' for x86_64{{.*}} (use native, x86-64, x86-64-v2, x86-64-v3, x86-64-v4, znver4, znver5, sapphirerapids or another LLVM CPU name)

// No output file is left behind by a failed run: not when an input is
// wrong, and not when the second of two outputs cannot be written (the
// first one is removed again).
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/i8.npy --output-dir=%t/never 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not ls %t/never
// RUN: not lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/first.npy \
// RUN:   --output=%t/no/such/dir/second.npy 2>&1 | FileCheck %s --check-prefix=WRITE
// WRITE: lowbit-run: error: output 1 ('{{.*}}second.npy'): cannot create '{{.*}}second.npy.tmp': No such file or directory
// RUN: not ls %t/first.npy
// RUN: not ls %t/first.npy.tmp

// The same run with a writable second path succeeds.
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --output=%t/first.npy --output=%t/second.npy
// RUN: ls %t/first.npy %t/second.npy

// y = a * b (b broadcast over rows), z = b + 1.
func.func @main(%a: tensor<2x4xf32>, %b: tensor<4xf32>)
    -> (tensor<2x4xf32>, tensor<4xf32>) {
  %init = tensor.empty() : tensor<2x4xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>)
      outs(%init : tensor<2x4xf32>) dimensions = [0]
  %y = arith.mulf %a, %bb : tensor<2x4xf32>
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %z = arith.addf %b, %one : tensor<4xf32>
  return %y, %z : tensor<2x4xf32>, tensor<4xf32>
}

func.func @scale(%a: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  %splat = tensor.splat %s : tensor<4xf32>
  %r = arith.mulf %a, %splat : tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func private @external(tensor<4xf32>) -> tensor<4xf32>

func.func @i4(%a: tensor<4xi4>) -> tensor<4xi4> {
  return %a : tensor<4xi4>
}
