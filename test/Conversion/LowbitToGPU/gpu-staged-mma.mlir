// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv | FileCheck %s --check-prefix=OP
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv --lowbit-gpu-staged-mma | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv="explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WHY
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-gemv="staged=false" | FileCheck %s --check-prefix=OFF

// W4A16 group 32 with a bias at M = 64, N = 128, K = 64: lowbit-gpu-gemv
// leaves a lowbit.staged_dequant_matmul on buffers (the staged kernel's
// barriers cannot cross buffer deallocation); lowbit-gpu-staged-mma builds
// the kernel: a 2 x 1 grid of 64 x 64 blocks, 128 threads, two
// double-buffered shared tiles (x rows padded to 40 f16, 4-bit weight rows
// of 16 bytes). The prologue copies k-tile 0 (two 16-byte copies of x and
// one 8-byte copy of weight bytes per thread) as one group; each iteration
// prefetches k-tile t + 1 into the other stage and waits for all groups
// but that one (or for all, in the last), then a barrier, two ldmatrix.x4
// A loads and four B fragments decoded from shared bytes per k16 step,
// eight mma.sync m16n8k16 per k16 step, and a barrier before the stage is
// refilled.
// OP-LABEL: func.func @staged_i4(
// OP: %[[Y:.*]] = memref.alloc() : memref<64x128xf16>
// OP: lowbit.staged_dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(%{{.*}} : memref<256xf16>) bias(%{{.*}} : memref<128xf16>) into %[[Y]] : memref<64x64xf16>, memref<4096xi8>, memref<64x128xf16>
// OP: bufferization.to_tensor %[[Y]] restrict writable
// OP-NOT: gpu.launch
// OFF-LABEL: func.func @staged_i4(
// OFF-NOT: lowbit.staged_dequant_matmul
// OFF: gpu.launch
// OFF-NOT: nvgpu.ldmatrix
// OFF-NOT: nvgpu.device_async_copy
// OFF: nvgpu.mma.sync

// CHECK-LABEL: func.func @staged_i4(
// CHECK-NOT: lowbit.staged_dequant_matmul
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[SX:.*]] : memref<2x64x40xf16, #gpu.address_space<workgroup>>, %[[SW:.*]] : memref<2x64x16xi8, #gpu.address_space<workgroup>>)
// CHECK: %[[C0:.*]] = nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %[[SX]][%{{.*}}, %{{.*}}, %{{.*}}], 8 {bypassL1} : memref<64x64xf16> to memref<2x64x40xf16, #gpu.address_space<workgroup>>
// CHECK: %[[C1:.*]] = nvgpu.device_async_copy %{{.*}}, 8 {bypassL1}
// CHECK: %[[C2:.*]] = nvgpu.device_async_copy %{{.*}}[%{{.*}}], %[[SW]][%{{.*}}, %{{.*}}, %{{.*}}], 8 : memref<4096xi8> to memref<2x64x16xi8, #gpu.address_space<workgroup>>
// CHECK: %[[G0:.*]] = nvgpu.device_async_create_group %[[C0]], %[[C1]], %[[C2]]
// CHECK: scf.for %[[KT:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: %[[NEXT:.*]] = arith.addi %[[KT]], %{{.*}} : index
// CHECK: %[[HAS:.*]] = arith.cmpi ult, %[[NEXT]], %{{.*}} : index
// CHECK: scf.if %[[HAS]] {
// CHECK: %[[NSTAGE:.*]] = arith.remui %[[NEXT]], %{{.*}} : index
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SX]][%[[NSTAGE]], %{{.*}}, %{{.*}}], 8 {bypassL1}
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SX]][%[[NSTAGE]], %{{.*}}, %{{.*}}], 8 {bypassL1}
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SW]][%[[NSTAGE]], %{{.*}}, %{{.*}}], 8 :
// CHECK: %[[G:.*]] = nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %[[G]] {numGroups = 1 : i32}
// CHECK: } else {
// CHECK: nvgpu.device_async_wait %[[G0]] {numGroups = 0 : i32}
// CHECK: }
// CHECK: %[[STAGE:.*]] = arith.remui %[[KT]], %{{.*}} : index
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[SX]][%[[STAGE]], %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<2x64x40xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: nvgpu.ldmatrix %[[SX]][%[[STAGE]], %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK: vector.load %[[SW]][%[[STAGE]], %{{.*}}, %{{.*}}] : memref<2x64x16xi8, #gpu.address_space<workgroup>>, vector<1xi8>
// CHECK: vector.interleave
// CHECK: arith.truncf %{{.*}} : vector<2xf32> to vector<2xf16>
// CHECK-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: nvgpu.ldmatrix
// CHECK-COUNT-8: nvgpu.mma.sync
// CHECK-NOT: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// The epilogue: 2 m16 tiles x 4 n8 tiles x 4 values per lane, with the bias.
// CHECK-COUNT-32: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x128xf16>
// CHECK-NOT: memref.store
// CHECK: gpu.terminator
func.func @staged_i4(%x: tensor<64x64xf16>, %b: tensor<128xf16>) -> tensor<64x128xf16> {
  %w = arith.constant dense<3> : tensor<128x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 32, axis = 1, scale = f16> scales(dense<0.5> : tensor<128x2xf16>) bias(%b : tensor<128xf16>) : tensor<64x64xf16>, tensor<128x64xi4> -> tensor<64x128xf16>
  return %y : tensor<64x128xf16>
}

// -----

// i8 codes as an argument, per output row, at M = 128: 8-bit weight rows
// of a k-tile are 32 bytes, padded to 48 in shared memory, one 16-byte
// copy per thread; the row scale is applied in the epilogue.
// OP-LABEL: func.func @staged_i8_arg(
// OP: lowbit.staged_dequant_matmul %{{.*}}, %{{.*}} as #lowbit.scheme<i8, axis = 0> scales(%{{.*}} : memref<64xf32>) into %{{.*}} : memref<128x64xf16>, memref<4096xi8>, memref<128x64xf16>
// CHECK-LABEL: func.func @staged_i8_arg(
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) {{.*}} workgroup(%{{.*}} : memref<2x64x40xf16, #gpu.address_space<workgroup>>, %[[SW:.*]] : memref<2x64x48xi8, #gpu.address_space<workgroup>>)
// CHECK: nvgpu.device_async_copy %{{.*}}[%{{.*}}], %[[SW]][%{{.*}}, %{{.*}}, %{{.*}}], 16 {bypassL1} : memref<4096xi8> to memref<2x64x48xi8, #gpu.address_space<workgroup>>
// CHECK: vector.load %[[SW]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x64x48xi8, #gpu.address_space<workgroup>>, vector<2xi8>
// CHECK: arith.extsi %{{.*}} : vector<2xi8> to vector<2xi32>
// CHECK: nvgpu.mma.sync
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CHECK: arith.mulf
func.func @staged_i8_arg(%x: tensor<128x64xf16>, %w: tensor<64x64xi8>) -> tensor<128x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<128x64xf16>, tensor<64x64xi8> -> tensor<128x64xf16>
  return %y : tensor<128x64xf16>
}

// -----

// Affine u4, group 64: the zero-point and the group scale of each of the
// lane's four columns are read once per k-tile and applied while decoding.
// CHECK-LABEL: func.func @staged_u4_affine(
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK-COUNT-4: memref.load %{{.*}}[%{{.*}}] : memref<128xi32>
// CHECK: nvgpu.ldmatrix
// CHECK: arith.subi %{{.*}}, %{{.*}} : vector<2xi32>
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @staged_u4_affine(%x: tensor<64x128xf16>) -> tensor<64x64xf16> {
  %w = arith.constant dense<9> : tensor<64x128xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<u4, group = 64, axis = 1, affine> scales(dense<0.5> : tensor<64x2xf32>) zero_points(dense<8> : tensor<64x2xi32>) : tensor<64x128xf16>, tensor<64x128xi4> -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// E4M3 codes stay f8E4M3FN in shared memory (copied as they are) and are
// bitcast to bytes when read; per-tensor scale.
// CHECK-LABEL: func.func @staged_e4m3_arg(
// CHECK: workgroup(%{{.*}} : memref<2x64x40xf16, #gpu.address_space<workgroup>>, %[[SW:.*]] : memref<2x64x48xf8E4M3FN, #gpu.address_space<workgroup>>)
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SW]]{{.*}}, 16 {bypassL1} : memref<4096xf8E4M3FN> to memref<2x64x48xf8E4M3FN, #gpu.address_space<workgroup>>
// CHECK: vector.load %[[SW]]{{.*}} vector<2xf8E4M3FN>
// CHECK: arith.bitcast %{{.*}} : vector<2xf8E4M3FN> to vector<2xi8>
func.func @staged_e4m3_arg(%x: tensor<64x64xf16>, %w: tensor<64x64xf8E4M3FN>) -> tensor<64x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32) : tensor<64x64xf16>, tensor<64x64xf8E4M3FN> -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// bf16 activations: bf16 shared x tiles and B registers; nvgpu.mma.sync has
// no bf16 lowering, so the products are NVVM's mma.sync with bf16
// multiplicands, the register pairs passed as i32.
// CHECK-LABEL: func.func @staged_bf16(
// CHECK: workgroup(%[[SX:.*]] : memref<2x64x40xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<2x64x48xi8, #gpu.address_space<workgroup>>)
// CHECK: nvgpu.ldmatrix %[[SX]]{{.*}} -> vector<4x2xbf16>
// CHECK: arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK: nvvm.mma.sync A[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] B[%{{.*}}, %{{.*}}] C[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvgpu.mma.sync
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x64xbf16>
func.func @staged_bf16(%x: tensor<64x64xbf16>, %w: tensor<64x64xi8>) -> tensor<64x64xbf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<64x64xbf16>, tensor<64x64xi8> -> tensor<64x64xbf16>
  return %y : tensor<64x64xbf16>
}

// -----

// Shapes the staged kernel does not take keep the unstaged tensor-core
// kernel (M = 96 is not a multiple of 64; K = 48 not of 32; group 16 not a
// multiple of the k-tile) or, with bf16 activations (which only the staged
// kernel takes), the generic lowering.
// WHY: remark: unstaged tensor-core kernel: the staged kernel needs M % 64, N % 64 and K % 32 == 0
// WHY: remark: unstaged tensor-core kernel: the staged kernel needs M % 64, N % 64 and K % 32 == 0
// WHY: remark: unstaged tensor-core kernel: the staged kernel needs a group size that is a multiple of 32
// WHY: remark: left to the generic lowering: the unstaged tensor-core kernel needs f16 activations (the staged kernel needs M % 64, N % 64 and K % 32 == 0)
// CHECK-LABEL: func.func @m96(
// CHECK-NOT: nvgpu.ldmatrix
// CHECK: nvgpu.mma.sync
func.func @m96(%x: tensor<96x64xf16>, %w: tensor<64x64xi8>) -> tensor<96x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<96x64xf16>, tensor<64x64xi8> -> tensor<96x64xf16>
  return %y : tensor<96x64xf16>
}

// -----

// CHECK-LABEL: func.func @k48(
// CHECK-NOT: nvgpu.ldmatrix
// CHECK: nvgpu.mma.sync
func.func @k48(%x: tensor<64x48xf16>, %w: tensor<64x48xi8>) -> tensor<64x64xf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<64x48xf16>, tensor<64x48xi8> -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// CHECK-LABEL: func.func @group16(
// CHECK-NOT: nvgpu.ldmatrix
// CHECK: nvgpu.mma.sync
func.func @group16(%x: tensor<64x64xf16>) -> tensor<64x64xf16> {
  %w = arith.constant dense<3> : tensor<64x64xi4>
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i4, group = 16, axis = 1> scales(dense<0.5> : tensor<64x4xf32>) : tensor<64x64xf16>, tensor<64x64xi4> -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// CHECK-LABEL: func.func @bf16_m96(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.dequant_matmul
func.func @bf16_m96(%x: tensor<96x64xbf16>, %w: tensor<64x64xi8>) -> tensor<96x64xbf16> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(dense<0.25> : tensor<64xf32>) : tensor<96x64xbf16>, tensor<64x64xi8> -> tensor<96x64xbf16>
  return %y : tensor<96x64xbf16>
}

// -----

// Per-channel zero-points do not depend on the k-tile: each lane reads its
// four columns' zero-points once, before the k-loop.
// CHECK-LABEL: func.func @per_channel_zero_points_before_the_loop(
// CHECK: gpu.launch
// CHECK-COUNT-4: memref.load %{{.*}} : memref<64xi32>
// CHECK: scf.for
// CHECK-NOT: memref.load %{{.*}} : memref<64xi32>
// CHECK: gpu.terminator
func.func @per_channel_zero_points_before_the_loop(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: memref<64xf32>, %z: memref<64xi32>, %y: memref<64x64xf16>) {
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<u8, axis = 0, affine> scales(%s : memref<64xf32>) zero_points(%z : memref<64xi32>) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xf16>
  return
}
