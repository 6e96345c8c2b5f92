// lowbit-quantize-weights reports schemes that cannot apply, at the op.
// RUN: lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i4 granularity=group group-size=64" --verify-diagnostics
// RUN: not lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=i5" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not lowbit-opt %s --split-input-file --lowbit-quantize-weights="format=nf4 symmetric=false" 2>&1 | FileCheck %s --check-prefix=AFFINE
// RUN: not lowbit-opt %s --split-input-file --lowbit-quantize-weights="granularity=row" 2>&1 | FileCheck %s --check-prefix=GRANULARITY
// RUN: not lowbit-opt %s --split-input-file --lowbit-quantize-weights="scale-type=f64" 2>&1 | FileCheck %s --check-prefix=SCALE

// FORMAT: error: lowbit-quantize-weights: option 'format': unknown storage format 'i5'; expected i8, u8, i4, u4, nf4, f4E2M1FN, f8E4M3FN or f8E5M2
// AFFINE: error: lowbit-quantize-weights: option 'symmetric=false': format nf4 is symmetric only; affine needs i8, u8, i4 or u4
// GRANULARITY: error: lowbit-quantize-weights: option 'granularity': unknown granularity 'row'; expected tensor, channel or group
// SCALE: error: lowbit-quantize-weights: option 'scale-type': unknown scale type 'f64'; expected f32, f16 or bf16

func.func @group_does_not_divide_k(%x: tensor<2x96xf32>, %acc: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.5> : tensor<96x4xf32>
  // expected-error @+1 {{lowbit-quantize-weights: group size 64 does not divide the reduction size K = 96 of this matmul; choose a group size that divides K or granularity=channel}}
  %y = linalg.matmul ins(%x, %w : tensor<2x96xf32>, tensor<96x4xf32>) outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @non_finite_weight(%x: tensor<2x64xf32>, %acc: tensor<2x1xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<0x7FC00000> : tensor<64x1xf32>
  // expected-error @+1 {{lowbit-quantize-weights: cannot quantize the weight:}}
  %y = linalg.matmul ins(%x, %w : tensor<2x64xf32>, tensor<64x1xf32>) outs(%acc : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
