// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-quant-matmul | FileCheck %s
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-quant-matmul="fp8=false explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOFP8
// RUN: lowbit-opt %s --split-input-file --lowbit-gpu-quant-matmul="explain=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WHY

// W8A8 as lowbit-w8a8 builds it (dynamic per-row activation scales, i8
// weights per output channel) with a bias, M = 32, N = 64, K = 256: a
// 2 x 2 grid of 16 x 32 warp tiles, launched as 1 x 2 blocks of 4 warps
// (one warp per block has no tile). One weight-scale block (all of K), k32
// steps: four s8 x s8 -> s32 mma.sync m16n8k32 (inline PTX, wrapping)
// on the same A registers.
// Symmetric codes: no row-sum mma, no corrections; the i32 sums are scaled
// by sa[m] * sw[n], the bias added, the result cast and stored.
// CHECK-LABEL: func.func @w8a8_per_row(
// CHECK-SAME: %[[A:[^:]*]]: tensor<32x256xi8>, %[[SA:[^:]*]]: tensor<32xf32>, %[[W:[^:]*]]: tensor<64x256xi8>, %[[BIAS:[^:]*]]: tensor<64xf16>)
// CHECK: %[[AB:.*]] = bufferization.to_buffer %[[A]] read_only : tensor<32x256xi8> to memref<32x256xi8>
// CHECK: %[[WF:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0, 1]] : tensor<64x256xi8> into tensor<16384xi8>
// CHECK: %[[WB:.*]] = bufferization.to_buffer %[[WF]] read_only
// CHECK: %[[BB:.*]] = bufferization.to_buffer %[[BIAS]] read_only
// CHECK: %[[SAB:.*]] = bufferization.to_buffer %[[SA]] read_only
// CHECK: %[[Y:.*]] = memref.alloc() : memref<32x64xf16>
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %[[C2]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C128]],
// CHECK: scf.if
// CHECK: scf.for {{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: scf.for {{.*}} step %c32{{.*}} -> (vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>)
// CHECK-COUNT-4: vector.load %[[AB]][{{.*}}] {alignment = 4 : i64} : memref<32x256xi8>, vector<4xi8>
// CHECK: vector.load %[[WB]][{{.*}}] {alignment = 4 : i64} : memref<16384xi8>, vector<4xi8>
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9}, {$10, $11, $12, $13};", "=r,=r,=r,=r,r,r,r,r,r,r,r,r,r,r" {{.*}} : (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-3: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK-NOT: mma.sync
// CHECK: scf.yield
// CHECK: memref.load %[[SAB]]
// CHECK: %[[ACC:.*]] = vector.extract {{.*}}[0, 0] : i32 from vector<2x2xi32>
// CHECK: %[[F:.*]] = arith.sitofp %[[ACC]] : i32 to f32
// CHECK: %[[S:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.mulf %[[F]], %[[S]] : f32
// CHECK: memref.load %[[BB]]
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: bufferization.to_tensor %[[Y]] restrict writable
// CHECK-NOT: lowbit.matmul
func.func @w8a8_per_row(%a: tensor<32x256xi8>, %sa: tensor<32xf32>, %w: tensor<64x256xi8>, %bias: tensor<64xf16>) -> tensor<32x64xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<32xf32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<64xf32>)) bias(%bias : tensor<64xf16>) : tensor<32x256xi8>, tensor<64x256xi8> -> tensor<32x64xf16>
  return %y : tensor<32x64xf16>
}

// -----

// Affine u8 activations: u8 x s8 products of the codes as they are, and the
// compile-time column sums correct them: acc = S - za col_sums[n] (weights
// symmetric i8: no row sums, no K za zw term).
// CHECK-LABEL: func.func @u8_affine_col_sums(
// CHECK: arith.constant dense<3> : tensor<32xi32>
// CHECK: gpu.launch
// CHECK: %[[Q:.*]] = vector.load {{.*}} : memref<16x64xi8>, vector<4xi8>
// CHECK-NOT: arith.xori
// CHECK-COUNT-4: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32
// CHECK-NOT: mma.sync
// CHECK: scf.yield
// CHECK: %[[ZA:.*]] = memref.load {{.*}} : memref<16xi32>
// CHECK: %[[CS:.*]] = memref.load {{.*}} : memref<32xi32>
// CHECK: %[[S:.*]] = vector.extract {{.*}}[0, 0] : i32 from vector<2x2xi32>
// CHECK: %[[P:.*]] = arith.muli %[[ZA]], %[[CS]] : i32
// CHECK: %[[C:.*]] = arith.subi %[[S]], %[[P]] : i32
// CHECK: arith.sitofp %[[C]] : i32 to f32
func.func @u8_affine_col_sums(%a: tensor<16x64xi8>, %sa: tensor<16xf32>, %za: tensor<16xi32>, %w: tensor<32x64xi8>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, axis = 0, affine> scales(%sa : tensor<16xf32>) zero_points(%za : tensor<16xi32>)) rhs(as #lowbit.scheme<i8, axis = 0> scales(dense<0.5> : tensor<32xf32>)) col_sums(dense<3> : tensor<32xi32>) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Affine u8 weights in groups of 64 along K (two weight-scale blocks):
// the block loop runs twice, each block's k loop two k32 steps, and a fifth
// mma.sync against a B fragment of ones gives the row sums of the
// activation codes, for acc = S - zw R per (n, group); s8 x u8 products.
// CHECK-LABEL: func.func @u8_weights_grouped(
// CHECK: arith.constant dense<100> : tensor<32x2xi32>
// CHECK: gpu.launch
// CHECK: %[[BLK:.*]]:4 = scf.for %[[G:.*]] = %c0{{.*}} to %c2{{.*}} step %c1
// CHECK: %[[K0:.*]] = arith.muli %[[G]], %c64
// CHECK: %[[K1:.*]] = arith.addi %[[K0]], %c64
// CHECK: scf.for {{.*}} = %[[K0]] to %[[K1]] step %c32{{.*}} -> (vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>, vector<2x2xi32>)
// CHECK-COUNT-4: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.u8.s32
// CHECK: %[[ONES:.*]] = arith.constant dense<1> : vector<2x4xi8>
// CHECK: %[[ONE:.*]] = vector.extract %[[ONES]][0] : vector<4xi8> from vector<2x4xi8>
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.u8.s32
// CHECK: scf.yield
// The weight parameters are read at n * 2 + group.
// CHECK: %[[N2:.*]] = arith.muli %{{.*}}, %c2
// CHECK: %[[I:.*]] = arith.addi %[[N2]], %[[G]] : index
// CHECK: memref.load %{{.*}}[%[[I]]] : memref<64xf32>
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<64xi32>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @u8_weights_grouped(%a: tensor<16x128xi8>, %sa: tensor<16xf32>, %w: tensor<32x128xi8>) -> tensor<16x32xbf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8, axis = 0> scales(%sa : tensor<16xf32>)) rhs(as #lowbit.scheme<u8, group = 64, axis = 1, affine> scales(dense<0.5> : tensor<32x2xf32>) zero_points(dense<100> : tensor<32x2xi32>)) : tensor<16x128xi8>, tensor<32x128xi8> -> tensor<16x32xbf16>
  return %y : tensor<16x32xbf16>
}

// -----

// FP8 E4M3 x E4M3: the same fragments (bytes bitcast from f8E4M3FN), the
// product as inline PTX (no nvgpu op has FP8 mma.sync; sm_89 and later),
// f32 accumulators, no conversion before the scales. With fp8=false it is
// left to the generic lowering, with a remark under explain.
// CHECK-LABEL: func.func @fp8_e4m3(
// CHECK: gpu.launch
// CHECK: %[[Q:.*]] = vector.load {{.*}} : memref<32x64xf8E4M3FN>, vector<4xf8E4M3FN>
// CHECK: arith.bitcast %[[Q]] : vector<4xf8E4M3FN> to vector<4xi8>
// CHECK: vector.bitcast %{{.*}} : vector<4xi8> to vector<1xi32>
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {$0, $1, $2, $3}, {$4, $5, $6, $7}, {$8, $9}, {$10, $11, $12, $13};", "=f,=f,=f,=f,r,r,r,r,r,r,f,f,f,f" {{.*}} : (i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-3: llvm.inline_asm
// CHECK: scf.yield
// CHECK-NOT: arith.sitofp
// CHECK: arith.truncf %{{.*}} : f32 to f16
// NOFP8: remark: lowbit-gpu-quant-matmul: generic lowering: FP8 mma.sync needs sm_89 or later (fp8=false)
func.func @fp8_e4m3(%a: tensor<32x64xf8E4M3FN>, %sa: tensor<32xf32>, %w: tensor<32x64xf8E4M3FN>) -> tensor<32x32xf16> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(%sa : tensor<32xf32>)) rhs(as #lowbit.scheme<f8E4M3FN, axis = 0> scales(dense<0.5> : tensor<32xf32>)) : tensor<32x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<32x32xf16>
  return %y : tensor<32x32xf16>
}

// -----

// E5M2 weights with E4M3 activations: the mixed PTX type pair.
// CHECK-LABEL: func.func @fp8_mixed(
// CHECK: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32
func.func @fp8_mixed(%a: tensor<16x32xf8E4M3FN>, %w: tensor<32x32xf8E5M2>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<f8E4M3FN> scales(0.25 : f32)) rhs(as #lowbit.scheme<f8E5M2> scales(0.5 : f32)) : tensor<16x32xf8E4M3FN>, tensor<32x32xf8E5M2> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// A requantize(...) epilogue to affine u8 per tensor, with an f32 bias:
// after the bias, q = clamp(roundeven(v / so) + zo, 0, 255) stored as i8.
// CHECK-LABEL: func.func @requantize_u8(
// CHECK: gpu.launch
// CHECK-COUNT-4: llvm.inline_asm asm_dialect = att "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// CHECK: scf.yield
// CHECK: %[[BIAS:.*]] = memref.load %{{.*}} : memref<32xf32>
// CHECK: %[[V:.*]] = arith.addf %{{.*}}, %[[BIAS]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[V]], %{{.*}} : f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK: %[[Z:.*]] = arith.addf %[[R]], %{{.*}} : f32
// CHECK: %[[LO:.*]] = arith.maximumf %[[Z]], %{{.*}} : f32
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %{{.*}} : f32
// CHECK: %[[I:.*]] = arith.fptosi %[[HI]] : f32 to i32
// CHECK: %[[Q:.*]] = arith.trunci %[[I]] : i32 to i8
// CHECK: memref.store %[[Q]], %{{.*}} : memref<16x32xi8>
func.func @requantize_u8(%a: tensor<16x64xi8>, %w: tensor<32x64xi8>, %bias: tensor<32xf32>) -> tensor<16x32xi8> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) bias(%bias : tensor<32xf32>) requantize(as #lowbit.scheme<u8, affine> scales(0.125 : f32) zero_points(128 : i32)) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xi8>
  return %y : tensor<16x32xi8>
}

// -----

// Shapes and schemes the kernel does not cover keep the generic lowering
// (lowbit.matmul stays, no gpu.launch); explain says why.

// M = 24 is not a multiple of the m16 tile.
// CHECK-LABEL: func.func @m_not_tiled(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.matmul
// WHY: remark: lowbit-gpu-quant-matmul: generic lowering: needs M % 16, N % 32 and K % 32 == 0
func.func @m_not_tiled(%a: tensor<24x64xi8>, %w: tensor<32x64xi8>) -> tensor<24x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) : tensor<24x64xi8>, tensor<32x64xi8> -> tensor<24x32xf32>
  return %y : tensor<24x32xf32>
}

// -----

// K = 48 is not a multiple of k32.
// CHECK-LABEL: func.func @k_not_tiled(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.matmul
// WHY: remark: lowbit-gpu-quant-matmul: generic lowering: needs M % 16, N % 32 and K % 32 == 0
func.func @k_not_tiled(%a: tensor<16x48xi8>, %w: tensor<32x48xi8>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) : tensor<16x48xi8>, tensor<32x48xi8> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Groups of 16 codes are smaller than a k32 step.
// CHECK-LABEL: func.func @group_16(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.matmul
// WHY: remark: lowbit-gpu-quant-matmul: generic lowering: the group size is not a multiple of 32
func.func @group_16(%a: tensor<16x64xi8>, %w: tensor<32x64xi8>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8, group = 16, axis = 1> scales(dense<0.5> : tensor<32x4xf32>)) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Affine activations without col_sums (the weight was not a constant when
// the activations were quantized): the correction has no column sums.
// CHECK-LABEL: func.func @affine_without_col_sums(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.matmul
// WHY: remark: lowbit-gpu-quant-matmul: generic lowering: the activation zero-point correction needs col_sums
func.func @affine_without_col_sums(%a: tensor<16x64xi8>, %w: tensor<32x64xi8>) -> tensor<16x32xf32> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<u8, affine> scales(0.25 : f32) zero_points(3 : i32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Requantizing to 4-bit codes is left to the generic lowering (an i4
// memref store per element is not what the kernel writes).
// CHECK-LABEL: func.func @requantize_i4(
// CHECK-NOT: gpu.launch
// CHECK: lowbit.matmul
// WHY: remark: lowbit-gpu-quant-matmul: generic lowering: requantize(...) to other codes than i8/u8 is not supported
func.func @requantize_i4(%a: tensor<16x64xi8>, %w: tensor<32x64xi8>) -> tensor<16x32xi4> {
  %y = lowbit.matmul %a, %w lhs(as #lowbit.scheme<i8> scales(0.25 : f32)) rhs(as #lowbit.scheme<i8> scales(0.5 : f32)) requantize(as #lowbit.scheme<i4> scales(0.125 : f32)) : tensor<16x64xi8>, tensor<32x64xi8> -> tensor<16x32xi4>
  return %y : tensor<16x32xi4>
}
