// RUN: lowbit-opt %s --split-input-file --verify-diagnostics --lowbit-gpu-staged-matmul --canonicalize --cse | FileCheck %s

// E4M3 x E4M3, per-tensor activation scale, per-row weight scales, f16
// bias and result; M = 256, N = 384, K = 512: 3 x 2 blocks of 128 x 128,
// four k-tiles of 128 codes.
//
// Host: both code buffers viewed as bytes (ui8: CU_TENSOR_MAP_DATA_TYPE_UINT8)
// and encoded as tensor maps with 128 x 128 boxes and the 128-byte swizzle.
// CHECK-LABEL: func.func @fp8_per_row(
// CHECK-SAME: %[[A:[^:]*]]: memref<256x512xf8E4M3FN>, %[[W:[^:]*]]: memref<384x512xf8E4M3FN>, %[[SW:[^:]*]]: memref<384xf32>, %[[BIAS:[^:]*]]: memref<384xf16>, %[[Y:[^:]*]]: memref<256x384xf16>)
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[SMEM:.*]] = arith.constant 99328 : i32
// CHECK: %[[AU8:.*]] = builtin.unrealized_conversion_cast %[[A]] : memref<256x512xf8E4M3FN> to memref<256x512xui8>
// CHECK: %[[AC:.*]] = memref.cast %[[AU8]] : memref<256x512xui8> to memref<*xui8>
// CHECK: %[[MAPA:.*]] = nvgpu.tma.create.descriptor %[[AC]] box[%[[C128]], %[[C128]]] : memref<*xui8> -> <tensor = memref<128x128xui8, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_256b, oob = zero, interleave = none>
// CHECK: %[[WU8:.*]] = builtin.unrealized_conversion_cast %[[W]] : memref<384x512xf8E4M3FN> to memref<384x512xui8>
// CHECK: %[[WC:.*]] = memref.cast %[[WU8]]
// CHECK: %[[MAPW:.*]] = nvgpu.tma.create.descriptor %[[WC]] box[%[[C128]], %[[C128]]]
//
// 3 x 2 blocks of 256 threads (two warpgroups), 3 stages x 32 KiB + 1 KiB
// of dynamic shared memory (rounded up to 1024 bytes in the kernel).
// CHECK: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %c3, %{{.*}} = %c2, %{{.*}} = %c1) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %[[SMEM]] {
// CHECK: %[[M0:.*]] = arith.muli %[[BY]], %[[C128]]
// CHECK: %[[N0:.*]] = arith.muli %[[BX]], %[[C128]]
// CHECK: %[[WG:.*]] = arith.divui %[[TID]], %[[C128]]
// CHECK: %[[SHARED:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: %[[BASE:.*]] = memref.extract_aligned_pointer_as_index %[[SHARED]]
// CHECK: %[[UP:.*]] = arith.addi %[[BASE]], %c1023
// CHECK: %[[ALIGNED:.*]] = arith.andi %[[UP]], %c-1024
// CHECK: %[[BARS:.*]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// CHECK: %[[LEADER:.*]] = arith.cmpi eq, %[[TID]], %c0
// CHECK: scf.if %[[LEADER]] {
// CHECK-NEXT: nvgpu.mbarrier.init %[[BARS]][%c0], %c1
// CHECK-NEXT: nvgpu.mbarrier.init %[[BARS]][%c1], %c1
// CHECK-NEXT: nvgpu.mbarrier.init %[[BARS]][%c2], %c1
// CHECK-NEXT: nvvm.fence.mbarrier.init
// The tensor maps came from the host: tensormap-proxy fence, prefetch.
// CHECK-NEXT: nvgpu.tma.fence.descriptor %[[MAPA]]
// CHECK-NEXT: nvgpu.tma.prefetch.descriptor %[[MAPA]]
// CHECK-NEXT: nvgpu.tma.fence.descriptor %[[MAPW]]
// CHECK-NEXT: nvgpu.tma.prefetch.descriptor %[[MAPW]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
//
// Thread 0 copies k-tiles 0, 1 into stages 0, 1 (A at +32 KiB s, W 16 KiB
// after it); coordinates innermost first: (k0, row0).
// CHECK-NEXT: scf.if %[[LEADER]] {
// CHECK-NEXT: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%c0], %c32768
// CHECK-NEXT: %[[O0:.*]] = arith.subi %[[ALIGNED]], %[[BASE]]
// CHECK-NEXT: %[[V0:.*]] = memref.view %[[SHARED]][%[[O0]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<128x128xui8, #gpu.address_space<workgroup>>
// CHECK-NEXT: nvgpu.tma.async.load %[[MAPA]][%c0, %[[M0]]], %[[BARS]][%c0] to %[[V0]]
// CHECK-NEXT: %[[P1:.*]] = arith.addi %[[ALIGNED]], %c16384
// CHECK-NEXT: %[[O1:.*]] = arith.subi %[[P1]], %[[BASE]]
// CHECK-NEXT: %[[V1:.*]] = memref.view %[[SHARED]][%[[O1]]][]
// CHECK-NEXT: nvgpu.tma.async.load %[[MAPW]][%c0, %[[N0]]], %[[BARS]][%c0] to %[[V1]]
// CHECK-NEXT: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%c1], %c32768
// CHECK-NEXT: arith.addi %[[ALIGNED]], %c32768
// CHECK-NEXT: arith.subi
// CHECK-NEXT: memref.view
// CHECK-NEXT: nvgpu.tma.async.load %[[MAPA]][%[[C128]], %[[M0]]], %[[BARS]][%c1]
// CHECK-NEXT: arith.addi %[[ALIGNED]], %c49152
// CHECK-NEXT: arith.subi
// CHECK-NEXT: memref.view
// CHECK-NEXT: nvgpu.tma.async.load %[[MAPW]][%[[C128]], %[[N0]]], %[[BARS]][%c1]
// CHECK-NEXT: }
//
// The k-tile loop: thread 0 refills the stage k-tile kt - 1 used with
// k-tile kt + 2, everyone waits for k-tile kt's stage (phase parity
// (kt / 3) % 2), four wgmma m64n128k32 from shared memory (FP8: the first
// does not accumulate, scale-d zero), waits for them, adds them to the f32 registers and meets
// at the barrier before the next refill.
// CHECK: %[[ACC:.*]] = scf.for %[[KT:.*]] = %c0 to %c4 step %c1 iter_args(%[[IT:.*]] = %{{.*}}) -> (!llvm.struct<(f32, f32,
// CHECK: %[[NEXT:.*]] = arith.addi %[[KT]], %c2
// CHECK: %[[AHEAD:.*]] = arith.cmpi ult, %[[NEXT]], %c4
// CHECK: %[[REFILL:.*]] = arith.andi %[[LEADER]], %[[AHEAD]]
// CHECK: scf.if %[[REFILL]] {
// CHECK: %[[RS:.*]] = arith.remui %[[NEXT]], %c3
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%[[RS]]], %c32768
// CHECK: %[[RK:.*]] = arith.muli %[[NEXT]], %[[C128]]
// CHECK: nvgpu.tma.async.load %[[MAPA]][%[[RK]], %[[M0]]], %[[BARS]][%[[RS]]]
// CHECK: nvgpu.tma.async.load %[[MAPW]][%[[RK]], %[[N0]]], %[[BARS]][%[[RS]]]
// CHECK: }
// CHECK: %[[STAGE:.*]] = arith.remui %[[KT]], %c3
// CHECK: %[[ROUND:.*]] = arith.divui %[[KT]], %c3
// CHECK: %[[ODD:.*]] = arith.remui %[[ROUND]], %c2
// CHECK: %[[PARITY:.*]] = arith.index_castui %[[ODD]] : index to i1
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS]][%[[STAGE]]], %[[PARITY]], %c10000000
//
// Descriptors: A of the warpgroup's 64 rows (8 KiB in), W; (address &
// 0x3ffff) >> 4 | 1 << 16 (LBO) | 64 << 32 (SBO 1024) | 1 << 62 (128-byte
// swizzle) = ... | 0x4000004000010000; k32 steps at + 2, 4, 6 (32 bytes).
// CHECK: %[[ROWS:.*]] = arith.muli %[[WG]], %c8192
// CHECK: %[[SOFF:.*]] = arith.muli %[[STAGE]], %c32768
// CHECK: %[[SA:.*]] = arith.addi %[[ALIGNED]], %[[SOFF]]
// CHECK: %[[AADDR:.*]] = arith.addi %[[SA]], %[[ROWS]]
// CHECK: %[[AI64:.*]] = arith.index_castui %[[AADDR]] : index to i64
// CHECK: %[[WOFF:.*]] = arith.addi %[[SOFF]], %c16384
// CHECK: %[[WADDR:.*]] = arith.addi %[[ALIGNED]], %[[WOFF]]
// CHECK: %[[WI64:.*]] = arith.index_castui %[[WADDR]] : index to i64
// CHECK: %[[AM:.*]] = arith.andi %[[AI64]], %c262143_i64
// CHECK: %[[AS:.*]] = arith.shrui %[[AM]], %c4_i64
// CHECK: %[[DA:.*]] = arith.ori %[[AS]], %c4611686293305360384_i64
// CHECK: %[[WM:.*]] = arith.andi %[[WI64]], %c262143_i64
// CHECK: %[[WS:.*]] = arith.shrui %[[WM]], %c4_i64
// CHECK: %[[DW:.*]] = arith.ori %[[WS]], %c4611686293305360384_i64
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-NEXT: %[[D0:.*]] = nvvm.wgmma.mma_async %[[DA]], %[[DW]], %{{.*}}, <m = 64, n = 128, k = 32>, D[<f32>, <zero>], A[<e4m3>, <one>, <row>], B[<e4m3>, <one>, <col>]
// CHECK-NEXT: %[[DA1:.*]] = arith.addi %[[DA]], %c2_i64
// CHECK-NEXT: %[[DW1:.*]] = arith.addi %[[DW]], %c2_i64
// CHECK-NEXT: %[[D1:.*]] = nvvm.wgmma.mma_async %[[DA1]], %[[DW1]], %[[D0]], <m = 64, n = 128, k = 32>, D[<f32>, <one>]
// CHECK-NEXT: %[[DA2:.*]] = arith.addi %[[DA]], %c4_i64
// CHECK-NEXT: %[[DW2:.*]] = arith.addi %[[DW]], %c4_i64
// CHECK-NEXT: %[[D2:.*]] = nvvm.wgmma.mma_async %[[DA2]], %[[DW2]], %[[D1]]
// CHECK-NEXT: %[[DA3:.*]] = arith.addi %[[DA]], %c6_i64
// CHECK-NEXT: %[[DW3:.*]] = arith.addi %[[DW]], %c6_i64
// CHECK-NEXT: %[[D3:.*]] = nvvm.wgmma.mma_async %[[DA3]], %[[DW3]], %[[D2]]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: %[[T0:.*]] = llvm.extractvalue %[[IT]][0]
// CHECK-NEXT: %[[P0:.*]] = llvm.extractvalue %[[D3]][0]
// CHECK-NEXT: %[[S0:.*]] = arith.addf %[[T0]], %[[P0]] : f32
// CHECK-NEXT: llvm.insertvalue %[[S0]], %[[IT]][0]
// CHECK: %[[SUM:.*]] = llvm.insertvalue %{{.*}}[63]
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.yield %[[SUM]]
//
// Epilogue: registers 0..3 are n8 tile 0 (rows g, g + 8; columns 2t,
// 2t + 1) of the warp's 16 rows at m0 + 64 wg + 16 warp; times sa sw[n],
// + bias[n], to f16.
// CHECK: %[[R0:.*]] = llvm.extractvalue %[[ACC]][0]
// CHECK: %[[R1:.*]] = llvm.extractvalue %[[ACC]][1]
// CHECK: %[[R2:.*]] = llvm.extractvalue %[[ACC]][2]
// CHECK: %[[R3:.*]] = llvm.extractvalue %[[ACC]][3]
// CHECK: llvm.extractvalue %[[ACC]][63]
// CHECK: memref.load %[[SW]]
// CHECK: memref.load %[[BIAS]]
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK-NOT: lowbit.staged_matmul
func.func @fp8_per_row(%a: memref<256x512xf8E4M3FN>, %w: memref<384x512xf8E4M3FN>, %sw: memref<384xf32>, %bias: memref<384xf16>, %y: memref<256x384xf16>) {
  %sa = arith.constant 0.25 : f32
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<f8E4M3FN> scales(%sa : f32)) rhs(#lowbit.scheme<f8E4M3FN, axis = 0> scales(%sw : memref<384xf32>)) bias(%bias : memref<384xf16>) {warpgroup} : memref<256x512xf8E4M3FN>, memref<384x512xf8E4M3FN>, memref<256x384xf16>
  return
}

// -----

// Affine u8 activations x i8 weights into s32 (u8 x s8 products as they
// are, wrapping), requantized to i8: acc - za[m] col_sums[n], times
// sa[m] sw[n], divided by the output scale, rounded, clamped. K = 256: two
// k-tiles, so only two are copied ahead.
// CHECK-LABEL: func.func @u8_affine_requantize(
// CHECK-SAME: %[[SA:[^:]*]]: memref<128xf32>, %[[ZA:[^:]*]]: memref<128xi32>, %{{[^:]*}}: memref<128x256xi8>, %[[SW:[^:]*]]: memref<128xf32>, %[[CS:[^:]*]]: memref<128xi32>, %[[Y:[^:]*]]: memref<128x128xi8>)
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %c1, {{.*}} = %c1, {{.*}} = %c1)
// CHECK: scf.if
// CHECK-COUNT-2: nvgpu.mbarrier.arrive.expect_tx
// CHECK-NOT: nvgpu.mbarrier.arrive.expect_tx
// Integer sums stay in the wgmma accumulators across k-tiles (exact).
// CHECK: scf.for %{{.*}} iter_args(%[[IACC:.*]] = %{{.*}}) -> (!llvm.struct<(i32,
// CHECK: nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %[[IACC]], <m = 64, n = 128, k = 32>, D[<s32>, <one>, <wrapped>], A[<u8>, <one>, <row>], B[<s8>, <one>, <col>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 32>, D[<s32>, <one>, <wrapped>], A[<u8>, <one>, <row>], B[<s8>, <one>, <col>]
// CHECK-NOT: arith.addf
// CHECK: gpu.barrier
// CHECK: %[[S:.*]] = llvm.extractvalue %{{.*}}[0] : !llvm.struct<(i32,
// CHECK: %[[SCALE:.*]] = memref.load %[[SA]]
// CHECK: %[[Z:.*]] = memref.load %[[ZA]]
// CHECK: %[[C:.*]] = memref.load %[[CS]]
// CHECK: %[[P:.*]] = arith.muli %[[Z]], %[[C]] : i32
// CHECK: %[[CORR:.*]] = arith.subi %[[S]], %[[P]] : i32
// CHECK: arith.sitofp %[[CORR]] : i32 to f32
// CHECK: math.roundeven
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: memref.store %{{.*}}, %[[Y]]
func.func @u8_affine_requantize(%a: memref<128x256xi8>, %sa: memref<128xf32>, %za: memref<128xi32>, %w: memref<128x256xi8>, %sw: memref<128xf32>, %cs: memref<128xi32>, %y: memref<128x128xi8>) {
  %so = arith.constant 0.5 : f32
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<u8, axis = 0, affine> scales(%sa : memref<128xf32>) zero_points(%za : memref<128xi32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%sw : memref<128xf32>) col_sums(%cs : memref<128xi32>)) requantize(#lowbit.scheme<i8> scales(%so : f32)) {warpgroup} : memref<128x256xi8>, memref<128x256xi8>, memref<128x128xi8>
  return
}

// -----

func.func @not_a_tile_multiple(%a: memref<64x256xi8>, %w: memref<128x256xi8>, %y: memref<64x128xf32>) {
  %s = arith.constant 0.5 : f32
  // expected-error @+1 {{lowbit-gpu-staged-matmul: the wgmma kernel needs M, N and K multiples of 128}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<i8> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) {warpgroup} : memref<64x256xi8>, memref<128x256xi8>, memref<64x128xf32>
  return
}

// -----

func.func @mixed_integer_fp8(%a: memref<128x128xf8E4M3FN>, %w: memref<128x128xi8>, %y: memref<128x128xf32>) {
  %s = arith.constant 0.5 : f32
  // expected-error @+1 {{lowbit-gpu-staged-matmul: needs FP8 x FP8 or integer x integer codes}}
  lowbit.staged_matmul %a, %w into %y lhs(#lowbit.scheme<f8E4M3FN> scales(%s : f32)) rhs(#lowbit.scheme<i8> scales(%s : f32)) {warpgroup} : memref<128x128xf8E4M3FN>, memref<128x128xi8>, memref<128x128xf32>
  return
}
