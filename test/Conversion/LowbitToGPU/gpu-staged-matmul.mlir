// RUN: lowbit-opt %s --split-input-file --verify-diagnostics --lowbit-gpu-staged-matmul --canonicalize --cse | FileCheck %s

// The staged mma.sync kernel of a lowbit.staged_matmul without
// {warpgroup}: W8A8 per row with an f16 bias, M = 64, N = 128, K = 128
// (2 x 1 blocks of 64 x 64, two k-tiles of 64 codes).
// CHECK-LABEL: func.func @w8a8(
// CHECK-SAME: %[[A:[^:]*]]: memref<64x128xi8>, %[[SA:[^:]*]]: memref<64xf32>, %[[W:[^:]*]]: memref<128x128xi8>, %[[SW:[^:]*]]: memref<128xf32>, %[[BIAS:[^:]*]]: memref<128xf16>, %[[Y:[^:]*]]: memref<64x128xf16>)
// Two stages of A and W tiles of 64 rows padded to 80 bytes: 20480 bytes.
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[TID:[^,]*]], %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c20480_i32 {
// CHECK: %[[SH:.*]] = gpu.dynamic_shared_memory
// k-tile 0: two 16-byte chunks of A and two of W per thread (row tid / 4,
// chunk tid % 4, and 32 rows further), one group.
// CHECK: %[[A0:.*]] = memref.view %[[SH]][%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x80xi8, #gpu.address_space<workgroup>>
// CHECK: %[[R:.*]] = arith.divui %[[TID]], %c4
// CHECK: %[[C:.*]] = arith.remui %[[TID]], %c4
// CHECK: %[[COL:.*]] = arith.muli %[[C]], %c16
// CHECK: %[[T0:.*]] = nvgpu.device_async_copy %[[A]][%[[R]], %[[COL]]], %[[A0]][%[[R]], %[[COL]]], 16 {bypassL1}
// CHECK: nvgpu.device_async_copy %[[A]]
// CHECK: %[[W0:.*]] = memref.view %[[SH]][%c5120][]
// CHECK-COUNT-2: nvgpu.device_async_copy %[[W]][{{.*}}], %[[W0]]
// CHECK: %[[G0:.*]] = nvgpu.device_async_create_group %[[T0]],
// CHECK: scf.for %[[KT:.*]] = %c0 to %c2 step %c1 iter_args({{.*}}) -> (vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>) {
// CHECK: scf.if
// CHECK: %[[G1:.*]] = nvgpu.device_async_create_group
// CHECK-NEXT: nvgpu.device_async_wait %[[G1]] {numGroups = 1 : i32}
// CHECK-NEXT: } else {
// CHECK-NEXT: nvgpu.device_async_wait %[[G0]] {numGroups = 0 : i32}
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// Per k32 step: A rows lane % 16, byte column 16 (lane / 16) of each m16
// tile; W rows 8 (lane / 16) + lane % 8, byte column 16 ((lane / 8) % 2)
// of each pair of n8 tiles; eight mma.sync m16n8k32.
// CHECK: nvgpu.ldmatrix %{{.*}} {numTiles = 4 : i32, transpose = false} : memref<64x80xi8, #gpu.address_space<workgroup>> -> vector<4x4xi8>
// CHECK: nvgpu.ldmatrix
// CHECK: %[[BQ:.*]] = nvgpu.ldmatrix
// CHECK: vector.shuffle %[[BQ]], %[[BQ]] [0, 1] : vector<4x4xi8>, vector<4x4xi8>
// CHECK: vector.shuffle %[[BQ]], %[[BQ]] [2, 3] : vector<4x4xi8>, vector<4x4xi8>
// CHECK: nvgpu.ldmatrix
// CHECK-COUNT-8: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK-COUNT-2: nvgpu.ldmatrix
// CHECK: nvgpu.ldmatrix
// CHECK: nvgpu.ldmatrix
// CHECK-COUNT-8: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK-NOT: mma.sync
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// Epilogue: sa[m] sw[n], bias, f16.
// CHECK: memref.load %[[SA]]
// CHECK: memref.load %[[SW]]
// CHECK: memref.load %[[BIAS]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-NOT: lowbit.staged_matmul
func.func @w8a8(%a: memref<64x128xi8>, %sa: memref<64xf32>, %w: memref<128x128xi8>, %sw: memref<128xf32>, %bias: memref<128xf16>, %y: memref<64x128xf16>) {
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8, axis = 0> scales(%sa : memref<64xf32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%sw : memref<128xf32>)) bias(%bias : memref<128xf16>) : memref<64x128xi8>, memref<128x128xi8>, memref<64x128xf16>
  return
}

// -----

// Affine u8 activations: u8 x s8 products of the codes as they are, acc =
// S - za col_sums[n].
// CHECK-LABEL: func.func @u8_affine(
// CHECK-SAME: %[[ZA:[^:]*]]: memref<64xi32>, %{{[^:]*}}: memref<64x64xi8>, %{{[^:]*}}: f32, %[[CS:[^:]*]]: memref<64xi32>
// CHECK: nvgpu.ldmatrix
// CHECK-NOT: arith.xori
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32
// CHECK: %[[Z:.*]] = memref.load %[[ZA]]
// CHECK: %[[C:.*]] = memref.load %[[CS]]
// CHECK: arith.muli %[[Z]], %[[C]] : i32
func.func @u8_affine(%a: memref<64x64xi8>, %sa: memref<64xf32>, %za: memref<64xi32>, %w: memref<64x64xi8>, %sw: f32, %cs: memref<64xi32>, %y: memref<64x64xf32>) {
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8, axis = 0, affine> scales(%sa : memref<64xf32>) zero_points(%za : memref<64xi32>)) rhs(#lowbit.scheme<i8> scales(%sw : f32) col_sums(%cs : memref<64xi32>)) : memref<64x64xi8>, memref<64x64xi8>, memref<64x64xf32>
  return
}

// -----

// FP8 codes: copied as they are, read by ldmatrix through a byte view,
// multiplied by the FP8 mma.sync (inline PTX).
// CHECK-LABEL: func.func @fp8(
// CHECK: memref.view %{{.*}}[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x80xf8E4M3FN, #gpu.address_space<workgroup>>
// CHECK: nvgpu.ldmatrix %{{.*}} : memref<64x80xi8, #gpu.address_space<workgroup>> -> vector<4x4xi8>
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
func.func @fp8(%a: memref<64x64xf8E4M3FN>, %w: memref<64x64xf8E4M3FN>, %s: f32, %y: memref<64x64xf32>) {
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<f8E4M3FN> scales(%s : f32)) rhs(#lowbit.scheme<f8E4M3FN> scales(%s : f32)) : memref<64x64xf8E4M3FN>, memref<64x64xf8E4M3FN>, memref<64x64xf32>
  return
}

// -----

func.func @not_a_tile_multiple(%a: memref<32x64xi8>, %w: memref<64x64xi8>, %s: f32, %y: memref<32x64xf32>) {
  // expected-error @+1 {{lowbit-gpu-staged-matmul: the staged mma.sync kernel needs M, N and K multiples of 64}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) : memref<32x64xi8>, memref<64x64xi8>, memref<32x64xf32>
  return
}

// -----

// Symmetric u8 activations and u8 weights: no corrections, u8 x u8
// products.
// CHECK-LABEL: func.func @u8_symmetric(
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.u8.u8.s32
// CHECK-NOT: arith.muli %{{.*}} : i32
// CHECK: arith.sitofp
func.func @u8_symmetric(%a: memref<64x64xi8>, %w: memref<64x64xi8>, %s: f32, %y: memref<64x64xf32>) {
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8> scales(%s : f32)) rhs(#lowbit.scheme<u8> scales(%s : f32)) : memref<64x64xi8>, memref<64x64xi8>, memref<64x64xf32>
  return
}
