// Bad options and statistics files for lowbit-quantize-activations: each a
// precise error, naming the option, the file or the op.
// RUN: echo '{"version": 1, "activations": {"other.model.fc": {"min": -1.0, "max": 1.0}}}' > %t.other.json
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.other.json" 2>&1 | FileCheck %s --check-prefix=OTHER
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo '{"version": 1, "activations": {"fc": {"min": -1.0' > %t.truncated.json
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.truncated.json" 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: echo '{"version": 1, "activations": {"fc": {"min": 3.0, "max": 1.0}}}' > %t.range.json
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.range.json" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: echo '{"activations": {}}' > %t.noversion.json
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.noversion.json" 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static" 2>&1 | FileCheck %s --check-prefix=TOKEN
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor" 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not lowbit-opt %s --lowbit-quantize-activations="format=u8" 2>&1 | FileCheck %s --check-prefix=U8
// RUN: not lowbit-opt %s --lowbit-quantize-activations="format=i4" 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not lowbit-opt %s --lowbit-quantize-activations="format=f8E5M2 symmetric=false" 2>&1 | FileCheck %s --check-prefix=FP8AFFINE
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=calibrated" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not lowbit-opt %s --lowbit-quantize-activations="granularity=channel" 2>&1 | FileCheck %s --check-prefix=GRANULARITY
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.other.json calibrator=kl" 2>&1 | FileCheck %s --check-prefix=CALIBRATOR
// RUN: not lowbit-opt %s --lowbit-quantize-activations="calibrator=entropy" 2>&1 | FileCheck %s --check-prefix=CALIBRATORDYNAMIC
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.other.json calibrator=percentile percentile=0" 2>&1 | FileCheck %s --check-prefix=PERCENTILE
// RUN: not lowbit-opt %s --lowbit-quantize-activations="mode=static granularity=tensor stats=%t.other.json calibrator=mse format=f8E4M3FN" 2>&1 | FileCheck %s --check-prefix=FP8GRID

// OTHER: error: loc("fc"): lowbit-quantize-activations: statistics file '{{.*}}other.json' has no range for the input of 'fc' (is it from another model?)
// MISSING: error: lowbit-quantize-activations: statistics file '{{.*}}missing.json': cannot read it: No such file or directory
// TRUNCATED: error: lowbit-quantize-activations: statistics file '{{.*}}truncated.json': not valid JSON:
// RANGE: error: lowbit-quantize-activations: statistics file '{{.*}}range.json': activation 'fc' has an invalid range [3.000000, 1.000000]
// VERSION: error: lowbit-quantize-activations: statistics file '{{.*}}noversion.json': expected "version": 1
// TOKEN: error: lowbit-quantize-activations: option 'granularity=token' needs 'mode=dynamic': a per-token scale depends on the token, so it cannot be fixed ahead of time
// NOSTATS: error: lowbit-quantize-activations: option 'mode=static' needs a statistics file ('stats=FILE')
// U8: error: lowbit-quantize-activations: option 'format=u8' needs 'symmetric=false' (u8 holds no negative values without a zero-point)
// FORMAT: error: lowbit-quantize-activations: option 'format': unsupported activation format 'i4'; expected i8, u8, f8E4M3FN or f8E5M2
// FP8AFFINE: error: lowbit-quantize-activations: option 'symmetric=false': FP8 activations are symmetric only
// MODE: error: lowbit-quantize-activations: option 'mode': unknown mode 'calibrated'; expected dynamic or static
// CALIBRATOR: error: lowbit-quantize-activations: option 'calibrator': unknown calibrator 'kl'; expected minmax, percentile, entropy or mse
// CALIBRATORDYNAMIC: error: lowbit-quantize-activations: option 'calibrator' is only used with 'mode=static'
// PERCENTILE: error: lowbit-quantize-activations: option 'percentile': must be in (0, 100], got 0.000000
// FP8GRID: error: lowbit-quantize-activations: option 'calibrator=mse' assumes a uniform integer grid; FP8 activations take minmax or percentile
// GRANULARITY: error: lowbit-quantize-activations: option 'granularity': unknown granularity 'channel'; expected tensor or token

func.func @linear(%x: tensor<3x2xf32>, %w: tensor<2x2xi8>) -> tensor<3x2xf32> {
  %y = lowbit.dequant_matmul %x, %w as #lowbit.scheme<i8> scales(0.5 : f32) : tensor<3x2xf32>, tensor<2x2xi8> -> tensor<3x2xf32> loc("fc")
  return %y : tensor<3x2xf32>
}
