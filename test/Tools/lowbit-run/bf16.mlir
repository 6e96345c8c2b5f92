// bf16 arguments and results, which .npy has no dtype for: read from
// float32 arrays, each value rounded to bf16 (nearest even: 7 stored
// mantissa bits, so 1 + 2^-8 is a tie that goes to 1 and 1 + 3 * 2^-8 a
// tie that goes to 1 + 2^-6; 1e38 to 0x7E96), and written as float32
// arrays, exactly. y = a + a doubles exactly:
//
//   a (f32 in)   = [1.00390625, 1.01171875, 3, -0.5, 1e38]
//   a (bf16)     = [1, 1.015625, 3, -0.5, 9.96921e37]
//   y = a + a    = [2, 2.03125, 6, -1, 1.99384e38]

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --dtype=f4 --shape=5 --values=1.00390625,1.01171875,3,-0.5,1e38
// RUN: lowbit-run %s --input=%t/a.npy --output-dir=%t/out | FileCheck %s
// CHECK: output 0: float32 array of shape (5,) -> output_0.npy
// RUN: %python %S/Inputs/make_npy.py --show %t/out/output_0.npy | FileCheck %s --check-prefix=VALUES
// VALUES:      float32 (5,)
// VALUES-NEXT: [2, 2.03125, 6, -1, 1.99384{{[0-9]*}}e+38]

// A float16 array is no bf16 tensor (only float32 arrays are read as bf16).
// RUN: %python %S/Inputs/make_npy.py %t/h.npy --dtype=f2 --shape=5 --values=1
// RUN: not lowbit-run %s --input=%t/h.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: lowbit-run: error: input 0 ('{{.*}}h.npy'): expected tensor<5xbf16>, got float16 array of shape (5,)

func.func @main(%a: tensor<5xbf16>) -> tensor<5xbf16> {
  %y = arith.addf %a, %a : tensor<5xbf16>
  return %y : tensor<5xbf16>
}
