// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-staged-mma=warpgroup-mma=true --canonicalize --cse | FileCheck %s

// The sm_90a wgmma variant of the staged dequant_matmul kernel: i4 in
// groups of 64 with f16 scales and an f16 bias, M = 64, N = 128, K = 256
// (one 64 x 128 block of one warpgroup, four k-tiles of 64).
// CHECK-LABEL: func.func @i4_g64(
// CHECK-SAME: %[[X:[^:]*]]: memref<64x256xf16>, %[[W:[^:]*]]: memref<16384xi8>, %[[S:[^:]*]]: memref<512xf16>, %[[BIAS:[^:]*]]: memref<128xf16>, %[[Y:[^:]*]]: memref<64x128xf16>)
//
// 2 x 8 KiB x stages, a 16 KiB B tile, 2 x 6 KiB weight stages (rows of
// 32 bytes padded to 48), 1 KiB to align: 46080 bytes.
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1) threads(%[[TID:[^,]*]], {{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c46080_i32 {
// CHECK: %[[SH:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[SH]]
// CHECK: %[[UP:.*]] = arith.addi %[[BASE]], %c1023
// CHECK: %[[AL:.*]] = arith.andi %[[UP]], %c-1024
// CHECK: %[[BADDR:.*]] = arith.addi %[[AL]], %c16384
// CHECK: %[[WADDR:.*]] = arith.addi %[[AL]], %c32768
// CHECK: %[[BOFF:.*]] = arith.subi %[[BADDR]], %[[BASE]]
// CHECK: %[[BT:.*]] = memref.view %[[SH]][%[[BOFF]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x64xf16, #gpu.address_space<workgroup>>
// CHECK: %[[X0:.*]] = memref.view %[[SH]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<64x64xf16, #gpu.address_space<workgroup>>
// CHECK: %[[W0:.*]] = memref.view %[[SH]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x48xi8, #gpu.address_space<workgroup>>
//
// k-tile 0: x chunk c of row r (thread tid: r = tid / 8, c = tid % 8, and
// three more rows 16 apart) into chunk c ^ (r % 8); 16 weight bytes per
// copy; one group.
// CHECK: %[[R:.*]] = arith.divui %[[TID]], %c8
// CHECK: %[[C:.*]] = arith.remui %[[TID]], %c8
// CHECK: %[[R8:.*]] = arith.remui %[[R]], %c8
// CHECK: %[[SW:.*]] = arith.xori %[[C]], %[[R8]]
// CHECK: %[[DCOL:.*]] = arith.muli %[[SW]], %c8
// CHECK: %[[SCOL:.*]] = arith.muli %[[C]], %c8
// CHECK: %[[T0:.*]] = nvgpu.device_async_copy %[[X]][%[[R]], %[[SCOL]]], %[[X0]][%[[R]], %[[DCOL]]], 8 {bypassL1}
// CHECK-COUNT-3: nvgpu.device_async_copy %[[X]]
// CHECK-COUNT-2: nvgpu.device_async_copy %[[W]][%{{.*}}], %[[W0]][%{{.*}}, %{{.*}}], 16 {bypassL1}
// CHECK: %[[G0:.*]] = nvgpu.device_async_create_group %[[T0]],
//
// CHECK: scf.for %[[KT:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}) -> (!llvm.struct<(f32,
// The row's group scales of the k-tile (one per 16-byte read), read
// before the wait so that their latency overlaps it.
// CHECK-COUNT-2: memref.load %[[S]]
// CHECK: scf.if
// CHECK: %[[G1:.*]] = nvgpu.device_async_create_group
// CHECK-NEXT: nvgpu.device_async_wait %[[G1]] {numGroups = 1 : i32}
// CHECK-NEXT: } else {
// CHECK-NEXT: nvgpu.device_async_wait %[[G0]] {numGroups = 0 : i32}
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
//
// Thread tid decodes weight row tid: 16 bytes (32 codes, inside one group)
// at a time, times the group scale, to f16, four 16-byte chunks into row
// tid of the B tile at chunk c ^ (tid % 8).
// CHECK: %[[RAW:.*]] = vector.load %{{.*}}[%[[TID]], %c0] : memref<128x48xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// CHECK: vector.interleave
// CHECK: %[[V:.*]] = arith.truncf %{{.*}} : vector<32xf32> to vector<32xf16>
// CHECK: %[[CH0:.*]] = vector.shuffle %[[V]], %[[V]] [0, 1, 2, 3, 4, 5, 6, 7]
// CHECK: vector.store %[[CH0]], %[[BT]][%[[TID]], %{{.*}}] : memref<128x64xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK-COUNT-7: vector.store %{{.*}}, %[[BT]]
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: gpu.barrier
//
// Descriptors of the x stage and the B tile; four m64n128k16 wgmma, 32
// bytes (+2) apart; commit, wait, barrier.
// CHECK: %[[XA:.*]] = arith.index_castui %{{.*}} : index to i64
// CHECK: %[[DA:.*]] = arith.ori %{{.*}}, %c4611686293305360384_i64
// CHECK: %[[BI64:.*]] = arith.index_castui %[[BADDR]] : index to i64
// CHECK: %[[DB:.*]] = arith.ori %{{.*}}, %c4611686293305360384_i64
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-NEXT: %[[D0:.*]] = nvvm.wgmma.mma_async %[[DA]], %[[DB]], %[[ACC]], <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK-NEXT: arith.addi %[[DA]], %c2_i64
// CHECK-NEXT: arith.addi %[[DB]], %c2_i64
// CHECK-NEXT: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.mma_async
// CHECK: nvvm.wgmma.mma_async
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: gpu.barrier
// Epilogue: no scale (group scales were applied when decoding), bias, cast.
// CHECK: llvm.extractvalue %{{.*}}[0]
// CHECK: memref.load %[[BIAS]]
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-NOT: lowbit.staged_dequant_matmul
func.func @i4_g64(%x: memref<64x256xf16>, %w: memref<16384xi8>, %s: memref<512xf16>, %b: memref<128xf16>, %y: memref<64x128xf16>) {
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i4, group = 64, axis = 1, scale = f16> scales(%s : memref<512xf16>) bias(%b : memref<128xf16>) into %y : memref<64x256xf16>, memref<16384xi8>, memref<64x128xf16>
  return
}

// -----

// i8 weights per row with bf16 activations, 2 x 2 blocks: rows of 64 bytes
// padded to 80 (54272 bytes of shared memory), four 16-code reads per row,
// bf16 wgmma, the row scale in the epilogue.
// CHECK-LABEL: func.func @i8_bf16(
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}} = %c2, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}}) dynamic_shared_memory_size %c54272_i32 {
// CHECK: memref<128x80xi8, #gpu.address_space<workgroup>>
// CHECK-COUNT-4: vector.load %{{.*}} : memref<128x80xi8, #gpu.address_space<workgroup>>, vector<16xi8>
// CHECK: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: memref.load %{{.*}} : memref<256xf32>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @i8_bf16(%x: memref<128x128xbf16>, %w: memref<32768xi8>, %s: memref<256xf32>, %y: memref<128x256xbf16>) {
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 0> scales(%s : memref<256xf32>) into %y : memref<128x128xbf16>, memref<32768xi8>, memref<128x256xbf16>
  return
}

// -----

// N = 64 is not a multiple of 128: the mma.sync staged kernel (ldmatrix).
// CHECK-LABEL: func.func @narrow(
// CHECK: nvgpu.ldmatrix
// CHECK-NOT: nvvm.wgmma.mma_async
func.func @narrow(%x: memref<64x64xf16>, %w: memref<2048xi8>, %s: f32, %y: memref<64x64xf16>) {
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i4> scales(%s : f32) into %y : memref<64x64xf16>, memref<2048xi8>, memref<64x64xf16>
  return
}
