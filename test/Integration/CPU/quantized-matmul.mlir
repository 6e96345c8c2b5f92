// End to end on the CPU: quantize one matmul's weight in each format, lower
// with lowbit-lower-to-cpu, JIT with mlir-runner and print the result.
// x = [[1, 1, 1, 1], [1, 0, 2, 0]], w = [1, -1, 7, -8] (K = 4, N = 1); in
// float y = [-1, 15]. Expected values are worked out by hand per scheme:
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=i4 granularity=tensor" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=I4
// i4, s = 8/7: codes [1, -1, 6, -7] -> [8/7, -8/7, 48/7, -8]; y = [-8/7, 104/7].
// I4: [-1.14286],
// I4-NEXT: [14.8571]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=i8 granularity=channel" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=I8
// i8, s = 8/127: codes [16, -16, 111, -127]; y = [-128/127, 1904/127].
// I8: [-1.00787],
// I8-NEXT: [14.9921]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=u4 granularity=tensor symmetric=false" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=U4
// u4 affine over [-8, 7]: s = 1, z = 8, exact.
// U4: [-1],
// U4-NEXT: [15]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=nf4 granularity=tensor" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=NF4
// nf4, s = 8: w/s = [0.125, -0.125, 0.875, -1] -> levels [0.16093, -0.09105,
// 1, -1]; y = [8 * 0.06988, 8 * 2.16093] = [0.55904, 17.2874].
// NF4: [0.559
// NF4-NEXT: [17.287
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=f8E4M3FN granularity=tensor" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=E4M3
// f8E4M3FN, s = 8/448: w/s = [56, -56, 392, -448], 392 -> 384; y = [-8/7, 103/7].
// E4M3: [-1.14286],
// E4M3-NEXT: [14.7143]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=f4E2M1FN granularity=tensor" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=FP4
// f4E2M1FN, s = 8/6: w/s = [0.75, -0.75, 5.25, -6]; 0.75 ties to 1 (even
// mantissa), 5.25 -> 6: y = [0, 52/3].
// FP4: [0],
// FP4-NEXT: [17.3333]
//
// RUN: lowbit-opt %s --lowbit-w8a8 --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=W8A8
// W8A8, weights as I8 above, activations per token: row 0 s = 1/127, codes
// 127; row 1 s = 2/127, codes [64, 0, 127, 0] (63.5 rounds to even);
// y = [-2032 * 8/127^2, 15121 * 16/127^2] = [-1.00787, 15.0001].
// W8A8: [-1.00787],
// W8A8-NEXT: [15.0001]
//
// RUN: lowbit-opt %s --lowbit-w8a8="granularity=tensor" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=W8A8T
// Per-tensor activations: s = 2/127 for both rows, row 0 codes round(63.5)
// = 64: y0 = 64 * (-16) * 16/127^2 = -1.01581.
// W8A8T: [-1.01581],
// W8A8T-NEXT: [15.0001]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=i4 granularity=group group-size=2" --lowbit-quantize-activations --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=W4A8
// i4 groups of 2: [1, -1] -> s = 1/7, codes [7, -7]; [7, -8] -> s = 8/7,
// codes [6, -7]. Row 0 (s = 1/127, codes 127): group sums [0, -127] ->
// -8/7. Row 1 (s = 2/127, codes [64, 0, 127, 0]): group sums [448, 762] ->
// 448 * 2/889 + 762 * 16/889 = 14.7222.
// W4A8: [-1.14286],
// W4A8-NEXT: [14.7222]
//
// RUN: lowbit-opt %s --lowbit-quantize-weights="format=u8 granularity=channel symmetric=false" --lowbit-quantize-activations="format=u8 symmetric=false" --lowbit-lower-to-cpu | %mlir_runner | FileCheck %s --check-prefix=U8U8
// u8 affine weights over [-8, 7]: s = 15/255, z = 136, codes
// [153, 119, 255, 0] (exact). u8 affine activations: row 0 over [0, 1]:
// s = 1/255, z = 0, codes 255 -> exact; row 1 over [0, 2]: s is the f32
// nearest 2/255, 0.0078431377, slightly above it, so 1/s = 127.499992 rounds
// to 127 (not a tie): x = [127 s, 0, 2, 0], y1 = 0.996078 + 14 = 14.9961.
// U8U8: [-1],
// U8U8-NEXT: [14.9961]

func.func private @printMemrefF32(tensor<*xf32>)

func.func @linear(%x: tensor<2x4xf32>) -> tensor<2x1xf32> {
  %w = arith.constant dense<[[1.0], [-1.0], [7.0], [-8.0]]> : tensor<4x1xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x1xf32>) -> tensor<2x1xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x1xf32>) outs(%acc : tensor<2x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

func.func @main() {
  %x = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 2.0, 0.0]]> : tensor<2x4xf32>
  %y = call @linear(%x) : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %u = tensor.cast %y : tensor<2x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
