// --expected compares each result with a reference file and checks
// |y - e| <= atol + rtol * |e| per element, as numpy.allclose does (defaults
// rtol = 1e-5, atol = 1e-8; NaN never matches).
//
//   @main(x) = 2 x + 1; x = [0, 1, 2, 3] -> y = [1, 3, 5, 7] (exact in f32)

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4 --values=0,1,2,3
// RUN: %python %S/Inputs/make_npy.py %t/exact.npy --shape=4 --values=1,3,5,7
// Off by 0.01 in element 2: 5.01.
// RUN: %python %S/Inputs/make_npy.py %t/off.npy --shape=4 --values=1,3,5.01,7

// RUN: lowbit-run %s --input=%t/x.npy --expected=%t/exact.npy | FileCheck %s --check-prefix=EXACT
// EXACT: output 0: max_abs=0 sqnr_db=inf cosine=1 [PASS]

// The default tolerances reject the 0.01 error, so do tighter ones; the tool
// exits 1 and says where the first mismatch is.
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/off.npy | FileCheck %s --check-prefix=FAIL
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/off.npy --atol=1e-3 --rtol=1e-3 \
// RUN:   | FileCheck %s --check-prefix=FAIL
// FAIL:      output 0: max_abs=0.0100002 sqnr_db={{[0-9.]+}} cosine=0.99999{{[0-9]*}} [FAIL]
// FAIL-NEXT:   1 of 4 elements differ by more than atol + rtol * |expected| (atol={{.*}}, rtol={{.*}}); first at [2]: got 5, expected 5.01{{[0-9]*}}

// Loose enough tolerances pass: atol alone (0.02 > 0.01), or rtol alone
// (0.01 * 5.01 > 0.01).
// RUN: lowbit-run %s --input=%t/x.npy --expected=%t/off.npy --atol=0.02 | FileCheck %s --check-prefix=LOOSE
// RUN: lowbit-run %s --input=%t/x.npy --expected=%t/off.npy --rtol=0.01 | FileCheck %s --check-prefix=LOOSE
// LOOSE: output 0: max_abs=0.0100002 {{.*}} [PASS]

// NaN == NaN does not pass (numpy.allclose's equal_nan=False).
// RUN: %python %S/Inputs/make_npy.py %t/nanx.npy --shape=1 --values=nan
// RUN: %python %S/Inputs/make_npy.py %t/nany.npy --shape=1 --values=nan
// RUN: not lowbit-run %s --input=%t/nanx.npy --expected=%t/nany.npy | FileCheck %s --check-prefix=NAN
// NAN: output 0: max_abs=nan sqnr_db=nan cosine=nan [FAIL]

// A reference of another dtype or shape is an error, not a FAIL; for a
// dynamic result the shape is known only after the call, and nothing is
// written then either.
// RUN: %python %S/Inputs/make_npy.py %t/f64.npy --dtype=f8 --shape=4 --values=1,3,5,7
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/f64.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: lowbit-run: error: expected output 0 ('{{.*}}f64.npy'): result 0 of @main is tensor<?xf32>, got float64 array of shape (4,)
// RUN: %python %S/Inputs/make_npy.py %t/short.npy --shape=3 --values=1,3,5
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/short.npy --output-dir=%t/none 2>&1 \
// RUN:   | FileCheck %s --check-prefix=SHAPE
// SHAPE: lowbit-run: error: expected output 0 ('{{.*}}short.npy'): result 0 is a float32 array of shape (4,), got float32 array of shape (3,)
// RUN: not ls %t/none

// A reference file that is not there.
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/nope.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: lowbit-run: error: expected output 0 ('{{.*}}nope.npy'): cannot open: No such file or directory

// One reference per result.
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/exact.npy --expected=%t/exact.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=COUNT
// COUNT: lowbit-run: error: @main returns 1 result(s) but 2 --expected file(s) were given
// RUN: not lowbit-run %s --input=%t/x.npy --expected=%t/exact.npy --rtol=-1 2>&1 \
// RUN:   | FileCheck %s --check-prefix=NEG
// NEG: lowbit-run: error: --rtol and --atol must be non-negative numbers

func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %two = arith.constant 2.0 : f32
  %one = arith.constant 1.0 : f32
  %init = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {
      indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
      iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%v: f32, %out: f32):
    %m = arith.mulf %v, %two : f32
    %a = arith.addf %m, %one : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}
