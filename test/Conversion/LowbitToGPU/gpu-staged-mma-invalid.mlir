// lowbit-gpu-staged-mma refuses a lowbit.staged_dequant_matmul its kernel
// cannot run (the op verifies, the kernel would read out of bounds or scale
// wrongly), naming the reason.
// RUN: lowbit-opt %s --split-input-file --verify-diagnostics --lowbit-gpu-staged-mma

func.func @rows_not_a_block(%x: memref<32x128xf16>, %w: memref<4096xi8>, %s: memref<64xf32>, %y: memref<32x64xf16>) {
  // expected-error @below {{the staged kernel needs M % 64, N % 64 and K % 32 == 0}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i4, axis = 0> scales(%s : memref<64xf32>) into %y : memref<32x128xf16>, memref<4096xi8>, memref<32x64xf16>
  return
}

// -----

func.func @channel_scales_along_k(%x: memref<64x64xf16>, %w: memref<4096xi8>, %s: memref<64xf32>, %y: memref<64x64xf16>) {
  // expected-error @below {{the staged kernel needs per-channel scales along the weight rows (axis 0)}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8, axis = 1> scales(%s : memref<64xf32>) into %y : memref<64x64xf16>, memref<4096xi8>, memref<64x64xf16>
  return
}

// -----

func.func @f32_activations(%x: memref<64x64xf32>, %w: memref<4096xi8>, %s: f32, %y: memref<64x64xf32>) {
  // expected-error @below {{the staged kernel needs f16 or bf16 activations}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8> scales(%s : f32) into %y : memref<64x64xf32>, memref<4096xi8>, memref<64x64xf32>
  return
}

// -----

func.func @strided_input(%x: memref<64x64xf16, strided<[128, 1]>>, %w: memref<4096xi8>, %s: f32, %y: memref<64x64xf16>) {
  // expected-error @below {{the staged kernel needs buffers with identity layouts}}
  lowbit.staged_dequant_matmul %x, %w as #lowbit.scheme<i8> scales(%s : f32) into %y : memref<64x64xf16, strided<[128, 1]>>, memref<4096xi8>, memref<64x64xf16>
  return
}
