// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-quant-matmul="warpgroup-mma=true" | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-quant-matmul="warpgroup-mma=true explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WHY

// With warpgroup-mma (lowbit-lower-to-nvvm sets it for sm_90a), matmuls
// whose M, N, K are multiples of 128, with symmetric weights and per-tensor
// or per-row weight scales, are left for the wgmma kernel as
// lowbit.staged_matmul on buffers: the weights as [N, K] rows (a TMA tensor
// map reads them), scales as scalars or flat buffers, the bias.
// CHECK-LABEL: func.func @w8a8_per_row(
// CHECK-SAME: %[[A:[^:]*]]: tensor<256x512xi8>, %[[SA:[^:]*]]: tensor<256xf32>, %[[W:[^:]*]]: tensor<384x512xi8>, %[[BIAS:[^:]*]]: tensor<384xf16>)
// CHECK: %[[AB:.*]] = bufferization.to_buffer %[[A]] read_only : tensor<256x512xi8> to memref<256x512xi8>
// CHECK: %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only : tensor<384x512xi8> to memref<384x512xi8>
// CHECK: %[[BB:.*]] = bufferization.to_buffer %[[BIAS]] read_only
// CHECK: %[[SAB:.*]] = bufferization.to_buffer %[[SA]] read_only
// CHECK: %[[SWC:.*]] = arith.constant dense<5.000000e-01> : tensor<384xf32>
// CHECK: %[[SW:.*]] = bufferization.to_buffer %[[SWC]] read_only
// CHECK: %[[Y:.*]] = memref.alloc() : memref<256x384xf16>
// CHECK: lowbit.staged_matmul %[[AB]], %[[WB]] into %[[Y]] lhs(#lowbit.scheme<i8, axis = 0> scales(%[[SAB]] : memref<256xf32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%[[SW]] : memref<384xf32>)) bias(%[[BB]] : memref<384xf16>) {warpgroup} : memref<256x512xi8>, memref<384x512xi8>, memref<256x384xf16>
// CHECK: bufferization.to_tensor %[[Y]] restrict writable
// CHECK-NOT: gpu.launch
// CHECK-NOT: lowbit.matmul
func.func @w8a8_per_row(%a: tensor<256x512xi8>, %sa: tensor<256xf32>, %w: tensor<384x512xi8>, %bias: tensor<384xf16>) -> tensor<256x384xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<256xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<384xf32>)) bias(%bias : tensor<384xf16>) : tensor<256x512xi8>, tensor<384x512xi8> -> tensor<256x384xf16>
  return %y : tensor<256x384xf16>
}

// -----

// Affine u8 activations: the zero-points and the weights' column sums go
// along (u8 x s8 wgmma, no shift by 128); a requantize(...) carries its
// scheme and parameters.
// CHECK-LABEL: func.func @u8_affine_requantize(
// CHECK: lowbit.staged_matmul %{{.*}}, %{{.*}} into %{{.*}} lhs(#lowbit.scheme<u8, axis = 0, affine> scales(%{{.*}} : memref<128xf32>) zero_points(%{{.*}} : memref<128xi32>)) rhs(#lowbit.scheme<i8, axis = 0> scales(%{{.*}} : memref<128xf32>) col_sums(%{{.*}} : memref<128xi32>)) requantize(#lowbit.scheme<u8, affine> scales(%{{.*}} : f32) zero_points(%{{.*}} : i32)) {warpgroup} : memref<128x256xi8>, memref<128x256xi8>, memref<128x128xi8>
func.func @u8_affine_requantize(%a: tensor<128x256xi8>, %sa: tensor<128xf32>, %za: tensor<128xi32>, %w: tensor<128x256xi8>) -> tensor<128x128xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<128xf32>) zero_points(%za : tensor<128xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<128xf32>)) col_sums(dense<3> : tensor<128xi32>) requantize(as #lowbit.scheme<u8, affine> scales(0.5 : f32) zero_points(3 : i32)) : tensor<128x256xi8>, tensor<128x256xi8> -> tensor<128x128xi8>
  return %y : tensor<128x128xi8>
}


// -----

// Symmetric u8 activations need no col_sums on wgmma (u8 x s8 products as
// they are); the mma.sync kernel would (it shifts u8 codes by 128).
// CHECK-LABEL: func.func @u8_symmetric(
// CHECK: lowbit.staged_matmul %{{.*}}, %{{.*}} into %{{.*}} lhs(#lowbit.scheme<u8> scales(%{{.*}} : f32)) rhs(#lowbit.scheme<i8> scales(%{{.*}} : f32)) {warpgroup} : memref<128x128xi8>, memref<128x128xi8>, memref<128x128xf32>
func.func @u8_symmetric(%a: tensor<128x128xi8>, %w: tensor<128x128xi8>) -> tensor<128x128xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8> scales(0.5 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) : tensor<128x128xi8>, tensor<128x128xi8> -> tensor<128x128xf32>
  return %y : tensor<128x128xf32>
}

// -----

// Not for the wgmma kernel (the mma.sync kernel takes them): shapes that
// are no multiple of 128, group-wise weight scales, weight zero-points.
// WHY: remark: lowbit-gpu-quant-matmul: not the wgmma kernel: the wgmma kernel needs M, N and K multiples of 128
// WHY: remark: lowbit-gpu-quant-matmul: not the wgmma kernel: group-wise weight scales (per tensor or per row only)
// WHY: remark: lowbit-gpu-quant-matmul: not the wgmma kernel: weight zero-points
// CHECK-LABEL: func.func @small(
// CHECK: gpu.launch
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK-NOT: lowbit.staged_matmul
// CHECK-LABEL: func.func @grouped(
// CHECK: gpu.launch
// CHECK-NOT: lowbit.staged_matmul
// CHECK-LABEL: func.func @affine_weights(
// CHECK: gpu.launch
// CHECK-NOT: lowbit.staged_matmul
func.func @small(%a: tensor<64x256xi8>, %w: tensor<128x256xi8>) -> tensor<64x128xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.5 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) : tensor<64x256xi8>, tensor<128x256xi8> -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}
func.func @grouped(%a: tensor<128x256xi8>, %w: tensor<128x256xi8>) -> tensor<128x128xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.5 : f32)) rhs(as #lowbit.scheme<i8, group = 128, axis = 1> scales(dense<0.5> : tensor<128x2xf32>)) : tensor<128x256xi8>, tensor<128x256xi8> -> tensor<128x128xf32>
  return %y : tensor<128x128xf32>
}
func.func @affine_weights(%a: tensor<128x256xi8>, %w: tensor<128x256xi8>) -> tensor<128x128xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.5 : f32)) rhs(as #lowbit.scheme<u8, axis = 0, affine> scales(dense<0.5> : tensor<128xf32>) zero_points(dense<3> : tensor<128xi32>)) : tensor<128x256xi8>, tensor<128x256xi8> -> tensor<128x128xf32>
  return %y : tensor<128x128xf32>
}
