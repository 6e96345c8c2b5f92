// With --threads above 1, lowbit-run binds the OpenMP threads one per core
// (OMP_PROC_BIND=close, OMP_PLACES=cores) unless the environment already
// places them (those two, KMP_AFFINITY or GOMP_CPU_AFFINITY): unbound,
// Linux can leave a kernel's worker on its caller's core for a whole run.
// OMP_DISPLAY_ENV makes the OpenMP runtime print the settings it starts
// with.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4x64 --random=3
// RUN: env -u OMP_PROC_BIND -u OMP_PLACES OMP_DISPLAY_ENV=true \
// RUN:   lowbit-run %s --input=%t/x.npy --threads=2 2>&1 | FileCheck %s
// CHECK-DAG: OMP_PROC_BIND='close'
// CHECK-DAG: OMP_PLACES='cores'
// CHECK: output 0: float32 array of shape (4, 256)

// The user's settings win.
// RUN: env OMP_PROC_BIND=spread OMP_PLACES=threads OMP_DISPLAY_ENV=true \
// RUN:   lowbit-run %s --input=%t/x.npy --threads=2 2>&1 \
// RUN:   | FileCheck %s --check-prefix=USER
// USER-DAG: OMP_PROC_BIND='spread'
// USER-DAG: OMP_PLACES='threads'

// So do libomp's own placement variables: with KMP_AFFINITY=none nothing
// is bound.
// RUN: env -u OMP_PROC_BIND -u OMP_PLACES KMP_AFFINITY=none OMP_DISPLAY_ENV=true \
// RUN:   lowbit-run %s --input=%t/x.npy --threads=2 2>&1 \
// RUN:   | FileCheck %s --check-prefix=KMP
// KMP: OMP_PROC_BIND='false'

// One thread loads no OpenMP runtime and binds nothing.
// RUN: env -u OMP_PROC_BIND -u OMP_PLACES OMP_DISPLAY_ENV=true \
// RUN:   lowbit-run %s --input=%t/x.npy --threads=1 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ONE
// ONE-NOT: OMP_
// ONE: output 0: float32 array of shape (4, 256)

func.func @main(%x: tensor<4x64xf32>) -> tensor<4x256xf32> {
  %w = arith.constant dense<0.5> : tensor<64x256xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x256xf32>)
      -> tensor<4x256xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x256xf32>)
      outs(%acc : tensor<4x256xf32>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}
