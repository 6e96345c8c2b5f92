// lowbit-lower-to-nvvm on quantized weights, to PTX that ptxas assembles for
// the chip it was generated for (sm_90a, and sm_80 for the sm_80 pipeline).
// The linear layer of Inputs/linear.mlir is quantized first, so the weight is
// a constant of packed codes. Upstream mlir-opt loads the plugin because
// serialization needs the GPU-to-LLVM-IR translations it registers.
// REQUIRES: ptxas
// UNSUPPORTED: sanitizers
//
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=i4 granularity=group group-size=32}),lowbit-lower-to-nvvm)" -o %t.i4.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,DEQ,I4 < %t.i4.mlir
// RUN: rm -rf %t.i4 && %extract_ptx %t.i4.mlir %t.i4 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
//
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=i8 granularity=channel}),lowbit-lower-to-nvvm)" -o %t.i8.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,DEQ,I8 < %t.i8.mlir
// RUN: rm -rf %t.i8 && %extract_ptx %t.i8.mlir %t.i8 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
//
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=nf4 granularity=group group-size=32}),lowbit-lower-to-nvvm)" -o %t.nf4.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,DEQ,NF4 < %t.nf4.mlir
// RUN: rm -rf %t.nf4 && %extract_ptx %t.nf4.mlir %t.nf4 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
//
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=f8E4M3FN granularity=channel}),lowbit-lower-to-nvvm)" -o %t.fp8.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,DEQ,FP8 < %t.fp8.mlir
// RUN: rm -rf %t.fp8 && %extract_ptx %t.fp8.mlir %t.fp8 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
//
// The float layer, and each format again for sm_80.
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(lowbit-lower-to-nvvm)" -o %t.f16.mlir
// RUN: FileCheck %s --check-prefixes=CHECK,F16 < %t.f16.mlir
// RUN: rm -rf %t.f16 && %extract_ptx %t.f16.mlir %t.f16 | xargs -n1 %ptxas -arch=sm_90a -o /dev/null
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(lowbit-lower-to-nvvm{chip=sm_80})" -o %t.f16.80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.f16.80.mlir
// RUN: rm -rf %t.f16.80 && %extract_ptx %t.f16.80.mlir %t.f16.80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=i4 granularity=group group-size=32}),lowbit-lower-to-nvvm{chip=sm_80})" -o %t.i4.80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.i4.80.mlir
// RUN: rm -rf %t.i4.80 && %extract_ptx %t.i4.80.mlir %t.i4.80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=i8 granularity=channel}),lowbit-lower-to-nvvm{chip=sm_80})" -o %t.i8.80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.i8.80.mlir
// RUN: rm -rf %t.i8.80 && %extract_ptx %t.i8.80.mlir %t.i8.80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=nf4 granularity=group group-size=32}),lowbit-lower-to-nvvm{chip=sm_80})" -o %t.nf4.80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.nf4.80.mlir
// RUN: rm -rf %t.nf4.80 && %extract_ptx %t.nf4.80.mlir %t.nf4.80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null
// RUN: %upstream_mlir_opt %S/Inputs/linear.mlir --load-dialect-plugin=%lowbit_plugin --load-pass-plugin=%lowbit_plugin --pass-pipeline="builtin.module(func.func(lowbit-quantize-weights{format=f8E4M3FN granularity=channel}),lowbit-lower-to-nvvm{chip=sm_80})" -o %t.fp8.80.mlir
// RUN: FileCheck %s --check-prefix=SM80 < %t.fp8.80.mlir
// RUN: rm -rf %t.fp8.80 && %extract_ptx %t.fp8.80.mlir %t.fp8.80 | xargs -n1 %ptxas -arch=sm_80 -o /dev/null

// The stored weight of each format: i4 and nf4 as 64 * 16 / 2 packed bytes,
// i8 and fp8 as one byte per code. The GEMV kernel decodes NF4 and E4M3 in
// registers (selects, bit arithmetic): no value table is stored.
// I4-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<weight.q> : tensor<512xi8>)
// NF4-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<weight.q> : tensor<512xi8>)
// NF4-NOT: tensor<16xf32>
// I8-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<weight.q> : tensor<16x64xi8>)
// FP8-DAG: llvm.mlir.global private constant @{{.*}}(dense_resource<weight.q> : tensor<1024xi8>)
// FP8-NOT: tensor<256xf32>
// Host code copies the input and the weight constants to device memory,
// launches the kernels on a stream and copies the result back. With M = 4
// the quantized layers are one GEMV kernel each (lowbit-gpu-gemv: scales
// and the f16 cast fused, so no f32 accumulator in memory); the float layer
// is a fill and the f16 matmul. Each kernel is PTX for the chip.
// CHECK-LABEL: llvm.func @linear(
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %arg1,
// DEQ: gpu.launch_func <%{{.*}} : !llvm.ptr> @linear_kernel::@linear_kernel blocks in
// DEQ-NOT: gpu.launch_func
// F16-COUNT-2: gpu.launch_func <%{{.*}} : !llvm.ptr> @linear_kernel{{(_[0-9])?}}::@linear_kernel blocks in
// CHECK-NOT: llvm.call @free
// CHECK: llvm.call @mgpuMemcpy
// CHECK: llvm.call @mgpuStreamSynchronize
// CHECK: llvm.return
// DEQ: gpu.binary @linear_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx84">, properties = {{.*}}, assembly = "{{.*}}.target sm_90a{{.*}}ld.global.v4.b32{{.*}}shfl.sync.bfly.b32
// DEQ-NOT: gpu.binary
// F16-COUNT-2: gpu.binary @linear_kernel{{(_[0-9])?}}  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx84">, properties = {{.*}}, assembly = "{{.*}}.target sm_90a
// SM80-LABEL: llvm.func @linear(
// SM80: gpu.launch_func <%{{.*}} : !llvm.ptr> @linear_kernel::@linear_kernel
// SM80: gpu.binary @linear_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">, properties = {{.*}}, assembly = "{{.*}}.target sm_80
