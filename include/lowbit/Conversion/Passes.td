//===- Passes.td - lowbit lowering passes ------------------------*- tablegen -*-===//
//
// Passes that lower lowbit ops towards the CPU (and later GPU) back ends.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PASSES_TD
#define LOWBIT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerLowbitToLinalgPass : Pass<"lowbit-lower-to-linalg"> {
  let summary = "Lower lowbit ops to linalg.generic on tensors";
  let description = [{
    Expresses every lowbit op as `linalg.generic` on tensors, so the rest of
    the CPU pipeline (bufferization, loops, LLVM) handles them like any other
    op:

    - `lowbit.quantize` / `lowbit.dequantize`: elementwise generics with the
      scales (and zero-points) broadcast by indexing maps; group-wise scales
      through a `tensor.expand_shape` of the grouped dimension.
    - `lowbit.dequant_matmul`: one contraction whose body decodes the weight
      codes in registers and multiplies by the scale; 4-bit weights are read
      as their packed bytes (two codes per byte, the blob reinterpreted as
      i8), never expanded into a float weight in memory.
    - `lowbit.matmul`: an integer contraction (i32 accumulation, zero-points
      subtracted from the codes) per scale block, then an epilogue applying
      the scales, the bias and the optional requantization.
    - `lowbit.observe`: forwards its input; with `calibrate=true` it also
      passes the input (extended to f32) as an unranked memref to
      `func.call @lowbit_observe_f32(i64 index, memref<*xf32>)`, a function
      of the calibration runtime (include/lowbit/Runtime/Observers.h), and
      the module gets `lowbit.observers = [{id, stats, bins, channel_axis},
      ...]`, one dictionary per index, for the tool to register.

    NF4, FP4 and FP8 codes are decoded through a constant value table
    indexed by the code.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"calibrate", "calibrate", "bool", /*default=*/"false",
           "Lower lowbit.observe to calls into the calibration runtime "
           "(false: observers are the identity)">
  ];
}
def CPUKernelsPass : Pass<"lowbit-cpu-kernels"> {
  let summary = "Lower lowbit.dequant_matmul to vectorized scf/vector CPU "
                "kernels";
  let description = [{
    Rewrites each `lowbit.dequant_matmul` with f32, f16 or bf16 activations
    `[M, K]`,
    weight codes `[N, K]` (`i8`, `u8`; FP8 `f8E4M3FN` / `f8E5M2` in a
    `dense_resource` constant; `i4`, `u4`, NF4 or FP4 `f4E2M1FN` packed two
    per byte in a `dense_resource` constant) and per-tensor, per-output-channel
    or group-wise scales (symmetric or affine) into a kernel on tensors: an
    `scf.forall` over blocks of output columns, inside it loops that stream
    each weight row once, decode `vector-width` (4-bit: twice as many) codes
    per step in registers and multiply them with `rows` rows of activations
    at once, apply each group's scale to the group's partial sums, and
    reduce the lanes at the end. The summation is reassociated (per-lane
    partial sums, scale once per group), which changes rounding only. At 16
    lanes 4-bit lane words are looked up (vpermps) in a table per weight row
    and group that holds the format's values minus the zero-point times the
    scale, so each lookup yields the dequantized weight and the sums run on
    across groups.
    Constant 4-bit weights are repacked at compile time (`repack`, on by
    default) into lane words: per weight row, steps of 8 x `vector-width`
    codes as `vector-width` 32-bit words, word l holding in nibble j the
    code of column k0 + j * vector-width + l, so that one vector load and a
    shift and mask per vector give the codes of consecutive columns (no
    byte unpacking, activations read as they are); K must be a multiple of
    the step and the group size a multiple of `vector-width` (otherwise the
    packed bytes are read as stored).
    Decoding is exact: integer codes by conversion (4-bit ones by a lookup
    with 16 lanes), NF4 / FP4 nibbles by
    lookups in constant vectors of the format's 16 values (variable
    permutes such as `vpermps`; a tree of selects below 8 lanes), FP8 bytes
    through f16 (`vcvtph2ps`; below 8 lanes by moving sign, exponent and
    mantissa into an f32), with subnormals, infinities and NaNs as the
    linalg lowering's tables define them.

    `lowbit.matmul` with i8 activation and weight codes (symmetric, per-row
    or per-tensor scales, f32 result) becomes the same kernel on i32 lanes,
    with `vpdpbusd` when `vnni` is set (activations offset by 128 to make
    them unsigned, corrected by the weight row sums computed at compile
    time), otherwise at 4, 8 or 16 lanes with `pmaddwd` on codes
    sign-extended to i16 (`lowbit.dot_i16`: two products per i32 lane and
    instruction, exact; the `vpmaddubsw` route would saturate u8 x s8 pair
    sums in i16); its integer sums are exact, so its results are unchanged.
    With `repack`, constant weights of every format are also stored in the
    order the kernel reads them: the `cols` weight rows a step reads side by
    side step by step, a task's rows one K block after the other, so that
    each task streams its weights front to back.
    Long K is read in blocks (about 1024 values for f32, 2048 codes for
    W8A8, 2048 codes or one group if longer for the dequant kernel, whose
    per-tensor and per-channel groups are 4096 codes),
    outermost in each
    task, so the activations or the slices of the weight rows a step reads
    stay in L1.

    A float `linalg.matmul` with a constant weight `[K, N]` and a zero-filled
    accumulator (f32, or bf16 / f16 operands with an f32 or same-type
    result: the panels keep the weight's 16-bit type and are widened to f32
    after each load, the inner-product kernel's transposed weight is
    widened at compile time, the activations once per call, the f32 sums
    rounded once to a 16-bit result) becomes, when N is a multiple of
    `vector-width`, the panel
    kernel: the weight is packed at compile time into column panels of one
    or two vectors (`[N / NR, K, NR]`), and register tiles of `panel-rows`
    activation rows times a panel accumulate outer products (one broadcast
    activation times the panel's vectors per row and k), K in blocks of at
    most 2048 whose panel slices stay in L2. Each output is one chain of
    fused multiply-adds over k in order, whatever M and the threads. Other
    N take the inner-product kernel on the transposed weight.
    With `avx512bf16` (or `bf16-products`) a bf16 matmul with an even K
    takes the panels in pairs of k instead (`[N / NR, K / 2, 2 NR]` bf16,
    pair q holding W[2q, n] and W[2q + 1, n] side by side): each step
    broadcasts one 32-bit pair of activations, read from x as it is, into
    `lowbit.dot_bf16` (`vdpbf16ps`); products of bf16 values are exact, so
    only the order of each pair's two additions and the flushing of
    denormals differ from the widened FMAs, at half the multiply
    instructions.
    With `vnni`, a W8A8 `lowbit.matmul` whose N is a multiple of
    `vector-width` takes the same loops on i32 lanes: its codes packed into
    panels of 4-code groups (`[N / NR, K / 4, 4 NR]` bytes), the activations
    made unsigned once per call as i32 words of four codes, one broadcast
    word per row and step into `vpdpbusd`, K in blocks of at most 8192
    codes (the i32 sums carried between blocks), the epilogue on vectors.
    Without `vnni` (4, 8 or 16 lanes) a constant W8A8 weight takes the same
    loops on 2-code groups: the activations sign-extended once per call
    into i32 words of two i16 codes, the panel vectors sign-extended to
    i16, `lowbit.dot_i16` (`pmaddwd`).

    A weight-only `lowbit.dequant_matmul` whose codes decode to consecutive
    columns per step (4-bit lane words, 8-bit integer or FP8 codes) and
    whose N splits into tasks of whole 8-column tiles (4 below 16 lanes)
    also gets the decode-then-GEMM kernel (`gemm`, on by default), taken at
    run time when the activations have at least `gemm-min-rows` rows (32;
    a static row count picks one kernel at compile time): the activations are transposed once per call into `[K, M]`
    (rows padded to the vector), each task dequantizes blocks of at most
    256 codes of its weight rows ((code - zero-point) * scale, the linalg
    lowering's values) into a buffer, and register tiles of 3 vectors of
    activation rows times 8 columns accumulate FMAs of activation vectors
    and broadcast weights; each output is one FMA chain over k in order.
    With `bf16-products` (16 lanes, AVX512-BF16) activations and weights
    are rounded to bf16 and multiplied in pairs by `lowbit.dot_bf16`
    (`vdpbf16ps`) into f32 sums.

    f16 and bf16 activations (a W4A16 model in 16-bit floats) take the
    same kernels on f32 values: the activations (and a 16-bit bias) are
    extended to f32 once per call, exactly, and the f32 sums are rounded to
    the activation type at the end, as the op defines. With `avx512bf16`,
    bf16 activations multiply in bf16 as with `bf16-products`, which then
    rounds nothing of theirs.

    Ops outside that set (double-quantized scales, batched operands, FP8
    codes that are not a constant, K or the group size not a multiple of
    the step) are left unchanged for `lowbit-lower-to-linalg`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::lowbit::LowbitDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"8",
           "f32 lanes of a vector register: 8 for AVX2, 16 for AVX-512 "
           "(16 lanes use vpermps of AVX-512F for 4-bit lookups)">,
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "Rows of activations that share one decoded weight step">,
    Option<"cols", "cols", "int64_t", /*default=*/"0",
           "Weight rows (output columns) decoded per step, sharing each "
           "activation vector; 0: 4 with 16 or more lanes (AVX-512 has 32 "
           "vector registers), else 2">,
    Option<"panelRows", "panel-rows", "int64_t", /*default=*/"0",
           "Activation rows of the register tile of the panel "
           "(outer-product) kernels; 0: 12 with 16 or more lanes, else 6">,
    Option<"vnni", "vnni", "bool", /*default=*/"false",
           "Integer dot products of W8A8 matmuls with vpdpbusd "
           "(AVX512-VNNI / AVX-VNNI); false: pmaddwd on codes sign-extended "
           "to i16 (at 4, 8 or 16 lanes; other widths multiply i32 lanes)">,
    Option<"gemm", "gemm", "bool", /*default=*/"true",
           "Give weight-only matmuls the decode-then-GEMM kernel for "
           "gemm-min-rows or more rows; false: always the streaming kernel">,
    Option<"gemmMinRows", "gemm-min-rows", "int64_t", /*default=*/"0",
           "Weight-only matmuls (lane-word 4-bit or 8-bit codes) with at "
           "least this many activation rows (checked at run time) take the "
           "decode-then-GEMM kernel: each task decodes a block of its "
           "weights into a buffer and runs register tiles over transposed "
           "activations; fewer rows take the streaming kernel; 0: 32">,
    Option<"bf16Products", "bf16-products", "bool", /*default=*/"false",
           "In the decode-then-GEMM kernel, round the activations and the "
           "dequantized weights to bf16 and multiply them by vdpbf16ps "
           "(AVX512-BF16, 16 lanes): twice the products per instruction, "
           "f32 sums, operands kept to 8 significant bits; in the streaming "
           "kernel, the same for 4-bit lane words: in groups of whole steps "
           "their values minus zero-points looked up as bf16 by vpermw and "
           "the scales applied in f32; in groups of 16, 32 or 64 codes "
           "their dequantized values looked up as bf16 in a table per pair "
           "of groups">,
    Option<"avx512bf16", "avx512bf16", "bool", /*default=*/"false",
           "The target has vdpbf16ps (AVX512-BF16; needs vector-width=16): "
           "weight-only matmuls on bf16 activations take bf16 products in "
           "both kernels (their activations are bf16 already, so only the "
           "decode-then-GEMM kernel's dequantized weights are rounded), and "
           "bf16 float matmuls with a constant weight take panels of bf16 "
           "pairs (exact products); f32 and f16 activations keep f32 "
           "products unless bf16-products">,
    Option<"fma", "fma", "bool", /*default=*/"true",
           "Use fused multiply-add (vector.fma); false for targets without "
           "FMA, where it would become a libm call">,
    Option<"repack", "repack", "bool", /*default=*/"true",
           "Rewrite constant weights at compile time into the layout the "
           "kernel reads: 4-bit codes into lane words (decoded with one "
           "shift and mask per vector), every format's rows in the order "
           "a task reads them; false: read weight-only codes as stored (the "
           "panel kernels always pack their weights)">
  ];
}

def LowerCPUIntrinsicsPass : Pass<"lowbit-lower-cpu-intrinsics"> {
  let summary = "Replace lowbit's x86 instruction ops by LLVM intrinsic calls";
  let description = [{
    `lowbit.dot_u8s8` (vpdpbusd) becomes `llvm.call_intrinsic
    "llvm.x86.avx512.vpdpbusd.{128,256,512}"` by its width, `lowbit.dot_bf16`
    (vdpbf16ps) `llvm.call_intrinsic
    "llvm.x86.avx512bf16.dpbf16ps.{128,256,512}"`, `lowbit.permute16`
    (vpermps) `llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"`,
    `lowbit.permute_words32` (vpermw) `llvm.call_intrinsic
    "llvm.x86.avx512.permvar.hi.512"`, `lowbit.dot_i16` (pmaddwd)
    `llvm.call_intrinsic "llvm.x86.{sse2,avx2}.pmadd.wd"` and an `llvm.add`
    (16 lanes as two 256-bit halves). Runs
    late in `lowbit-lower-to-cpu`, after the loops have become control flow:
    the ops are pure, the intrinsic calls are not, and both the deallocation
    passes and the inlining of the parallel loops' `memref.alloca_scope`
    bodies stop at unknown effects.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}



def GPUDeviceBuffersPass : Pass<"lowbit-gpu-device-buffers", "::mlir::func::FuncOp"> {
  let summary = "Give every host buffer a kernel touches a device copy";
  let description = [{
    Runs on memrefs after `convert-parallel-loops-to-gpu`, before
    `gpu-kernel-outlining`. Host code passes its own pointers (function
    arguments, `memref.alloc` results, `memref.get_global` weights) to the
    kernels; on a discrete GPU those are not device memory. For each such
    buffer the pass adds a `gpu.alloc` mirror right after the buffer is
    defined, rewrites the kernels to use the mirror (views such as
    `memref.expand_shape` are re-created on it), and keeps the two in sync
    with `gpu.memcpy`:

    - host to device after the definition of an argument or a global, and
      before a kernel when host code may have written the buffer since;
    - device to host before a host operation (including `func.return`)
      reads the buffer after a kernel wrote it;
    - `gpu.dealloc` where the host buffer is deallocated, or before the
      return.

    Kernels and the buffers they use must be in the function's body block
    (as `convert-parallel-loops-to-gpu` leaves them); anything else is an
    error at the kernel.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def WritePTXPass : Pass<"lowbit-write-ptx", "::mlir::ModuleOp"> {
  let summary = "Write the PTX embedded in gpu.binary ops to files";
  let description = [{
    For inspection (the `--emit=ptx` of lowbit-lower-to-nvvm's `ptx-dir`
    option): each `#gpu.object` in PTX form (`format=isa`) of each
    `gpu.binary @name` is written to `<dir>/<name>.<chip>.ptx`, and the IR
    is left unchanged. A binary holding cubin or fatbinary objects is an
    error at that binary, since there is no PTX to write.
  }];
  let options = [
    Option<"dir", "dir", "std::string", /*default=*/"\"\"",
           "Directory to write the .ptx files to (created when missing)">
  ];
}

def GPUGemvPass : Pass<"lowbit-gpu-gemv", "::mlir::func::FuncOp"> {
  let summary = "GPU kernels for lowbit.dequant_matmul: GEMV for few rows, tensor cores above";
  let description = [{
    Replaces each `lowbit.dequant_matmul` with at most `max-m` activation
    rows by one `gpu.launch` (on buffers, between `bufferization.to_buffer`
    and `bufferization.to_tensor`) that reads every weight byte once: one
    warp per weight row, 16-byte coalesced loads, codes decoded in
    registers with vector ops, f32 dot products per chunk, group scales per
    chunk, a `gpu.shuffle` butterfly across the warp, and an epilogue with
    the row scale, the bias and the cast fused. Above `max-m`, with
    `tensor-cores` and `staged`, f16 or bf16 activations whose M, N and K
    are multiples of 64, 64 and 32 become a `lowbit.staged_dequant_matmul` on
    buffers, which `lowbit-gpu-staged-mma` later expands into the staged
    tensor-core kernel (shared-memory tiles, asynchronous copies,
    `ldmatrix`, double buffering); other f16 activations whose M, N and K
    are multiples of 16, 32 and 16 get the unstaged tensor-core kernel: a
    16 x 32 tile per warp, fragments
    loaded from global memory into registers (weights dequantized and
    scaled there, rounded to f16), four `nvgpu.mma.sync` m16n8k16 per k16
    step, the epilogue on the C registers. Operands it does not handle
    (see lib/Conversion/LowbitToGPU/DequantGemv.cpp) keep the generic
    lowering. Runs first in lowbit-lower-to-nvvm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::lowbit::LowbitDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"maxM", "max-m", "int64_t", /*default=*/"16",
           "Largest number of activation rows handled as a GEMV">,
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps (weight rows) per thread block">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"true",
           "Above max-m, f16 activations with M % 16, N % 32 and K % 16 == 0 "
           "get a tensor-core kernel (nvgpu.mma.sync m16n8k16, 16 x 32 per "
           "warp)">,
    Option<"staged", "staged", "bool", /*default=*/"true",
           "Above max-m, f16 or bf16 activations with M % 64, N % 64 and "
           "K % 32 == 0 "
           "(group size % 32 == 0) get the staged tensor-core kernel "
           "(lowbit.staged_dequant_matmul, built by lowbit-gpu-staged-mma); "
           "false keeps the unstaged one">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark on each lowbit.dequant_matmul left to the generic "
           "lowering, or given the unstaged tensor-core kernel, saying why">,
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Test only: build the kernel's computation in host loops instead "
           "of a gpu.launch (each lane's partial sums into a scratch buffer, "
           "then a per-warp sum in place of the shuffle butterfly, then the "
           "epilogue; for the staged kernel, its copy and compute phases), "
           "so that lowbit-lower-to-cpu can run it">
  ];
}

def GPUStagedMmaPass : Pass<"lowbit-gpu-staged-mma", "::mlir::func::FuncOp"> {
  let summary =
      "Build the staged tensor-core kernel of each staged_dequant_matmul";
  let description = [{
    Replaces each `lowbit.staged_dequant_matmul` (left by `lowbit-gpu-gemv`
    for f16 or bf16 products above `max-m` with M % 64, N % 64,
    K % 32 == 0) by one `gpu.launch` of 64 x 64 blocks of the result, four
    warps of 32 x 32: k-tiles of 32 of x (f16 or bf16) and of the packed
    weight bytes are
    copied to double-buffered shared memory (`workgroup` attributions)
    with `nvgpu.device_async_copy` groups, the copy of k-tile t + 1
    overlapping the products of k-tile t; A fragments come from
    `nvgpu.ldmatrix` (padded rows, no bank conflicts), B fragments are
    decoded from the shared codes in registers (group scale, zero-point,
    rounded to the activation type); eight `nvgpu.mma.sync` m16n8k16 (for
    bf16 `nvvm.mma.sync`) per warp and k16 step; the epilogue (row or
    tensor scale, bias, cast) on the C registers. An op the kernel cannot
    run (shape, format, scale axis, layout) is an error naming the reason.
    Runs on buffers, after `convert-bufferization-to-memref`,
    because `buffer-deallocation-pipeline` rejects the kernel's
    `gpu.barrier` and async-copy groups (see
    lib/Conversion/LowbitToGPU/StagedMma.cpp).

    With `warpgroup-mma` (lowbit-lower-to-nvvm sets it for sm_90a),
    products with M % 64, N % 128 and K % 64 == 0 get the wgmma variant
    instead (lib/Conversion/LowbitToGPU/WarpgroupDequantMma.cpp): 64 x 128
    blocks of one warpgroup, x k-tiles of 64 copied with cp.async into
    128-byte swizzled shared rows, the weights decoded once per block into
    a swizzled f16/bf16 tile, four `wgmma.mma_async` m64n128k16 per k-tile
    from shared memory.
  }];
  let options = [
    Option<"warpgroupMma", "warpgroup-mma", "bool", /*default=*/"false",
           "sm_90a: the wgmma variant for M % 64, N % 128, K % 64 == 0">,
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Test only: build the kernel's computation in host loops (copies, "
           "decoding and epilogue as in the kernel; ldmatrix, mma.sync and "
           "wgmma by their PTX definitions) so that lowbit-lower-to-cpu can "
           "run it">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GPUQuantMatmulPass : Pass<"lowbit-gpu-quant-matmul", "::mlir::func::FuncOp"> {
  let summary = "Tensor-core kernels for the integer and FP8 lowbit.matmul";
  let description = [{
    Replaces each `lowbit.matmul` of i8/u8 x i8/u8 codes (i32 accumulation)
    or, with `fp8`, of FP8 x FP8 codes (f32 accumulation) whose M, N and K
    are multiples of 16, 32 and 32 by one `gpu.launch` (on buffers, between
    `bufferization.to_buffer` and `bufferization.to_tensor`): a 16 x 32
    tile of the result per warp, four `mma.sync` m16n8k32 (inline PTX: u8/s8
    x u8/s8 codes as they are, wrapping) per k32 step, the zero-point
    corrections from the op's compile-time `col_sums` and run-time row sums
    of the activation codes (one more mma.sync against a fragment of
    ones), the activation and weight scales per weight-scale block and the
    bias on the C registers, then the cast or a requantize(...) to i8/u8
    codes. FP8 uses `mma.sync ... e4m3`, which needs sm_89 or later and PTX
    ISA 8.4:
    lowbit-lower-to-nvvm sets `fp8` for sm_90a only. With `warpgroup-mma`
    and `staged`, the products the staged kernels of
    `lowbit-gpu-staged-matmul` take (tile multiples of 128 on sm_90a,
    of 64 otherwise; symmetric weights, scales constant along K) become
    `lowbit.staged_matmul` instead. Operands no kernel handles (see
    lib/Conversion/LowbitToGPU/QuantMatmulMma.cpp) keep the generic
    lowering; `explain` says why with a remark.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"fp8", "fp8", "bool", /*default=*/"true",
           "Build FP8 x FP8 matmuls with mma.sync e4m3/e5m2 (sm_89 or "
           "later; false leaves them to the generic lowering)">,
    Option<"warpsPerBlock", "warps-per-block", "int64_t", /*default=*/"4",
           "Warps (16 x 32 tiles along N) per thread block">,
    Option<"warpgroupMma", "warpgroup-mma", "bool", /*default=*/"false",
           "sm_90a: leave matmuls with M, N, K multiples of 128, weights "
           "symmetric with per-tensor or per-row scales, as "
           "lowbit.staged_matmul {warpgroup} for the TMA + wgmma kernel of "
           "lowbit-gpu-staged-matmul">,
    Option<"staged", "staged", "bool", /*default=*/"false",
           "Leave the others with M, N, K multiples of 64, symmetric i8 "
           "(or FP8) weights with per-tensor or per-row scales, as "
           "lowbit.staged_matmul for the staged mma.sync kernel of "
           "lowbit-gpu-staged-matmul">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark on each lowbit.matmul left to the generic lowering, "
           "saying why">,
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Test only: build the kernel's computation in host loops (fragments "
           "scattered into per-warp tiles, the tiles multiplied, the C "
           "registers gathered) so that lowbit-lower-to-cpu can run it">
  ];
}

def GPUStagedMatmulPass
    : Pass<"lowbit-gpu-staged-matmul", "::mlir::func::FuncOp"> {
  let summary = "Build the staged kernel of each lowbit.staged_matmul";
  let description = [{
    Replaces each `lowbit.staged_matmul` (left by
    `lowbit-gpu-quant-matmul` with `warpgroup-mma` or `staged`) by its
    kernel (see lib/Conversion/LowbitToGPU/StagedMatmul.cpp).

    With `warpgroup` (sm_90a; M, N, K multiples of 128): a host part that
    encodes two TMA tensor maps (`nvgpu.tma.create.descriptor`, 128 x
    128-byte boxes, 128-byte swizzle) for the device buffers of the
    activation and weight codes, and one `gpu.launch` of 128 x 128 blocks of
    the result, two warpgroups (256 threads) each: a three-stage ring of
    k-tiles of 128 codes in dynamic shared memory, filled by
    `nvgpu.tma.async.load` and guarded by `nvgpu.mbarrier`s (one thread
    issues the copies two k-tiles ahead), and per k-tile four
    `nvvm.wgmma.mma_async` m64n128k32 per warpgroup reading both operands
    from shared memory through matrix descriptors (s8/u8 x s8/u8 into s32,
    e4m3/e5m2 x e4m3/e5m2 into f32, FP8 sums promoted to f32 registers
    every k-tile); lib/Conversion/LowbitToGPU/WarpgroupMma.cpp.

    Without it (sm_80 and up; multiples of 64): 64 x 64 blocks of four
    warps, k-tiles of 64 codes double-buffered in shared memory by
    `nvgpu.device_async_copy`, fragments by `nvgpu.ldmatrix`, eight
    `mma.sync` m16n8k32 per warp and k32 step;
    lib/Conversion/LowbitToGPU/StagedQuantMma.cpp.

    Both end with the epilogue of the mma.sync kernel (zero-point
    correction from the column sums, scales, bias, cast or requantization).
    Runs after `lowbit-gpu-device-buffers`, which mirrors the op's buffers
    on the device, so that the tensor maps point at device memory.
  }];
  let options = [
    Option<"hostEmulation", "host-emulation", "bool", /*default=*/"false",
           "Test only: the kernel's computation in host loops (TMA with "
           "the 128-byte swizzle and wgmma through the kernel's matrix "
           "descriptors, or ldmatrix and mma.sync by their PTX "
           "definitions, on a host buffer standing for shared memory; the "
           "kernel's copies and epilogue); lowbit-lower-to-cpu can run it">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def GPUAlignWorkgroupMemoryPass
    : Pass<"lowbit-gpu-align-workgroup-memory", "::mlir::ModuleOp"> {
  let summary = "Align the shared-memory attributions of GPU kernels";
  let description = [{
    Sets `llvm.align` on every workgroup attribution of a `gpu.func` that
    has none. Without it `convert-gpu-to-nvvm` aligns the `.shared` global
    to its element type only, while the staged kernel's 16-byte
    `cp.async` and `ldmatrix` need 16-byte aligned addresses. Runs after
    `gpu-kernel-outlining` in lowbit-lower-to-nvvm (`gpu.launch` cannot
    carry the attribute).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "Alignment in bytes">
  ];
}

def GPUExternDynamicSharedMemoryPass
    : Pass<"lowbit-gpu-extern-dynamic-shared-memory",
           "::mlir::gpu::GPUModuleOp"> {
  let summary = "Make the dynamic shared memory of NVVM kernels extern";
  let description = [{
    Gives the zero-length shared globals that `convert-gpu-to-nvvm` makes
    of `gpu.dynamic_shared_memory` external linkage, so that the NVPTX
    backend declares them `.extern .shared ... []` (the start of the
    dynamic shared memory, after every static shared variable) instead of
    demoting them to one-byte static variables that may come before the
    kernel's other shared variables. Runs in lowbit-lower-to-nvvm after
    `convert-gpu-to-nvvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // LOWBIT_CONVERSION_PASSES_TD
