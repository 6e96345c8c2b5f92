// f16, i32, i8 and i1 arguments and results, with expected values worked
// out by hand in each type's own arithmetic:
//
//   f16: h * h + h for h = [0, 1, -1.5, 0.5, 300]
//        = [0, 2, 0.75, 0.75, 90300 -> inf (f16's largest finite is 65504)]
//   i32: i * i + 1 for i = [3, -4, 100000, 0]; 10^10 + 1 wraps modulo 2^32
//        to 10000000001 - 2 * 4294967296 = 1410065409
//   i8:  select(m, b + 3, b) for b = [-128, 0, 5, 124], m = [1, 0, 1, 0]
//        = [-125, 0, 8, 124]
//   i1:  m xor true = [0, 1, 0, 1]

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/h.npy --dtype=f2 --shape=5 --values=0,1,-1.5,0.5,300
// RUN: %python %S/Inputs/make_npy.py %t/i.npy --dtype=i4 --shape=4 --values=3,-4,100000,0
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --dtype=i1 --shape=4 --values=-128,0,5,124
// RUN: %python %S/Inputs/make_npy.py %t/m.npy --dtype=b1 --shape=4 --values=1,0,1,0
// RUN: lowbit-run %s --input=%t/h.npy --input=%t/i.npy --input=%t/b.npy \
// RUN:   --input=%t/m.npy --output-dir=%t/out | FileCheck %s
// CHECK:      output 0: float16 array of shape (5,) -> output_0.npy
// CHECK-NEXT: output 1: int32 array of shape (4,) -> output_1.npy
// CHECK-NEXT: output 2: int8 array of shape (4,) -> output_2.npy
// CHECK-NEXT: output 3: bool array of shape (4,) -> output_3.npy

// RUN: %python %S/Inputs/make_npy.py --show %t/out/output_0.npy | FileCheck %s --check-prefix=F16
// F16:      float16 (5,)
// F16-NEXT: [0, 2, 0.75, 0.75, inf]
// RUN: %python %S/Inputs/make_npy.py --show %t/out/output_1.npy | FileCheck %s --check-prefix=I32
// I32:      int32 (4,)
// I32-NEXT: [10, 17, 1410065409, 1]
// RUN: %python %S/Inputs/make_npy.py --show %t/out/output_2.npy | FileCheck %s --check-prefix=I8
// I8:      int8 (4,)
// I8-NEXT: [-125, 0, 8, 124]
// RUN: %python %S/Inputs/make_npy.py --show %t/out/output_3.npy | FileCheck %s --check-prefix=I1
// I1:      bool (4,)
// I1-NEXT: [False, True, False, True]

// Each dtype must match exactly: an int32 array is no i8 tensor and a
// float32 array no f16 one.
// RUN: not lowbit-run %s --input=%t/h.npy --input=%t/i.npy --input=%t/i.npy \
// RUN:   --input=%t/m.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: lowbit-run: error: input 2 ('{{.*}}i.npy'): expected tensor<4xi8>, got int32 array of shape (4,)
// RUN: %python %S/Inputs/make_npy.py %t/h32.npy --dtype=f4 --shape=5 --values=0
// RUN: not lowbit-run %s --input=%t/h32.npy --input=%t/i.npy --input=%t/b.npy \
// RUN:   --input=%t/m.npy 2>&1 | FileCheck %s --check-prefix=HALF
// HALF: lowbit-run: error: input 0 ('{{.*}}h32.npy'): expected tensor<5xf16>, got float32 array of shape (5,)

func.func @main(%h: tensor<5xf16>, %i: tensor<4xi32>, %b: tensor<4xi8>,
                %m: tensor<4xi1>)
    -> (tensor<5xf16>, tensor<4xi32>, tensor<4xi8>, tensor<4xi1>) {
  %hh = arith.mulf %h, %h : tensor<5xf16>
  %hy = arith.addf %hh, %h : tensor<5xf16>
  %one = arith.constant dense<1> : tensor<4xi32>
  %ii = arith.muli %i, %i : tensor<4xi32>
  %iy = arith.addi %ii, %one : tensor<4xi32>
  %three = arith.constant dense<3> : tensor<4xi8>
  %b3 = arith.addi %b, %three : tensor<4xi8>
  %by = arith.select %m, %b3, %b : tensor<4xi1>, tensor<4xi8>
  %true = arith.constant dense<true> : tensor<4xi1>
  %my = arith.xori %m, %true : tensor<4xi1>
  return %hy, %iy, %by, %my
      : tensor<5xf16>, tensor<4xi32>, tensor<4xi8>, tensor<4xi1>
}
