// --dump-llvm prints the LLVM IR that is compiled, after the --opt-level
// optimizations. At -O0 the C interface is visible: one pointer per
// argument descriptor after a pointer to the results, which for several
// results is a struct of one descriptor per result.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/a.npy --shape=2x3 --values=1
// RUN: %python %S/Inputs/make_npy.py %t/b.npy --shape=3 --values=2
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --dump-llvm --opt-level=0 | FileCheck %s

// CHECK-LABEL: define void @_mlir_ciface_main(ptr %0, ptr %1, ptr %2)
// CHECK:         load { ptr, ptr, i64, [2 x i64], [2 x i64] }, ptr %1
// CHECK:         load { ptr, ptr, i64, [1 x i64], [1 x i64] }, ptr %2
// CHECK:         store { { ptr, ptr, i64, [2 x i64], [2 x i64] }, { ptr, ptr, i64, [1 x i64], [1 x i64] } } %{{.*}}, ptr %0
// CHECK: output 0: float32 array of shape (2, 3)
// CHECK: output 1: float32 array of shape (3,)

// At -O2 the wrapper is still there (the JIT calls it).
// RUN: lowbit-run %s --input=%t/a.npy --input=%t/b.npy --dump-llvm | FileCheck %s --check-prefix=O2
// O2: define void @_mlir_ciface_main(ptr {{.*}}%0, ptr {{.*}}%1, ptr {{.*}}%2)

func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>)
    -> (tensor<2x3xf32>, tensor<3xf32>) {
  %e = math.exp %a : tensor<2x3xf32>
  %n = arith.negf %b : tensor<3xf32>
  return %e, %n : tensor<2x3xf32>, tensor<3xf32>
}
