// Calibration end to end: instrument a two-layer MLP with
// lowbit-insert-observers, calibrate it with lowbit-run over 32 samples,
// check the statistics against values known by construction, then quantize
// the float model to static W8A8 with those statistics and compare its
// output with the float model's.

// Samples: 30 drawn uniformly from [-1, 1) and one all -1, one all +1, so
// the input of fc1 ranges over exactly [-1, 1] (the generator rounds to f32
// and never reaches 1.0).
// RUN: rm -rf %t && mkdir -p %t/samples
// RUN: for i in $(seq 10 39); do %python %S/Inputs/make_npy.py %t/samples/x$i.npy --shape=4x8 --random=$i --low=-1 --high=1; done
// RUN: %python %S/Inputs/make_npy.py %t/samples/x40.npy --shape=4x8 --values=-1
// RUN: %python %S/Inputs/make_npy.py %t/samples/x41.npy --shape=4x8 --values=1

// RUN: lowbit-opt %s --lowbit-insert-observers="stats=min_max,histogram,channel_abs_max bins=64" -o %t/observed.mlir
// RUN: lowbit-run %t/observed.mlir --calibrate=%t/samples --stats=%t/stats.json 2>%t/progress.txt | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=PROGRESS < %t/progress.txt
// RUN: FileCheck %s --check-prefix=JSON < %t/stats.json

// OUT: calibrated 32 samples, 2 observers -> {{.*}}stats.json
// PROGRESS: calibrated 32/32 samples, {{[0-9.]+}} samples/s, ETA 0.0 s

// The fingerprint hashes the ids "fc1", "fc2" and the argument type.
// 32 samples of 4x8 = 1024 values; the hidden activation fc2 reads has
// 32 x 4 x 8 values too. Per-channel |x| maxima of fc1 are all 1 (the
// constant samples).
// JSON:      "version": 1,
// JSON-NEXT: "model": "fnv1a64:{{[0-9a-f]+}}",
// JSON-NEXT: "entry": "main",
// JSON-NEXT: "samples": 32,
// JSON-NEXT: "activations": {
// JSON-NEXT:   "fc1": {
// JSON-NEXT:     "min": -1,
// JSON-NEXT:     "max": 1,
// JSON-NEXT:     "calls": 32,
// JSON-NEXT:     "count": 1024,
// JSON-NEXT:     "non_finite": 0,
// JSON-NEXT:     "histogram": {
// JSON:            "bins": 64,
// JSON-NEXT:       "total": 1024,
// JSON:          "channel_abs_max": [
// JSON-COUNT-8:    1{{$|,}}
// JSON-NEXT:     ]
// JSON:        "fc2": {
// JSON-NEXT:     "min":
// JSON-NEXT:     "max":
// JSON-NEXT:     "calls": 32,
// JSON-NEXT:     "count": 1024,

// The histogram of fc1 counts every value once: its counts add up to 1024.
// RUN: %python -c "import json; a = json.load(open('%t/stats.json'))['activations']['fc1']['histogram']; print('sum', sum(a['counts']), 'lo<=-1', a['lo'] <= -1, 'hi>=1', a['hi'] >= 1)" | FileCheck %s --check-prefix=HIST
// HIST: sum 1024 lo<=-1 True hi>=1 True

// Static W8A8 from the statistics, against the float model on a held-out
// input. The error budget: i8 per-channel weights and i8 per-tensor
// activations each add quantization noise of about step^2 / 12, i.e. an
// SQNR near 6.02 * 8 - 20 log10(range / rms) dB, about 40 dB for fc1's
// uniform input (range/rms = 1.7) and ~35 dB for the hidden activation
// (whose calibrated range includes the all-ones samples, a few times its
// typical rms). Together ~33 dB (42 dB measured); 30 dB is the bar,
// while a wrong or missing range (scales from another activation, a
// clipped range) drops far below it.
// RUN: %python %S/Inputs/make_npy.py %t/x.npy --shape=4x8 --random=7 --low=-1 --high=1
// RUN: lowbit-run %s --input=%t/x.npy --output=%t/ref.npy
// RUN: lowbit-opt %s --lowbit-w8a8="activations=static stats=%t/stats.json" -o %t/w8a8.mlir
// RUN: FileCheck %s --check-prefix=W8A8 < %t/w8a8.mlir
// RUN: lowbit-run %t/w8a8.mlir --input=%t/x.npy --expected=%t/ref.npy --rtol=0 --atol=1 \
// RUN:   | %python -c "import re, sys; t = sys.stdin.read(); v = float(re.search(r'sqnr_db=([-+0-9.e]+)', t).group(1)); print('sqnr_db', v, 'ok' if v > 30 else 'LOW')" | FileCheck %s --check-prefix=SQNR
// W8A8-COUNT-2: lowbit.matmul
// SQNR: sqnr_db {{.*}} ok

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  %w1 = arith.constant dense<[[0.139, -0.475, -0.225, -0.277, 0.236, 0.177, 0.392, -0.413], [-0.078, -0.470, -0.281, 0.005, -0.473, -0.301, 0.150, 0.045], [-0.280, 0.089, 0.309, -0.494, 0.306, 0.198, -0.160, -0.345], [0.457, -0.163, -0.407, -0.403, 0.347, 0.104, 0.307, 0.230], [0.036, 0.473, -0.121, 0.052, 0.329, 0.119, 0.362, 0.077], [0.205, -0.454, -0.272, -0.211, -0.420, -0.267, -0.399, -0.222], [0.136, -0.135, -0.130, -0.290, -0.233, 0.437, 0.148, 0.109], [-0.329, 0.229, -0.337, -0.121, 0.490, 0.140, 0.057, 0.185]]> : tensor<8x8xf32>
  %w2 = arith.constant dense<[[0.343, 0.276, -0.271, -0.468], [-0.185, -0.232, -0.289, 0.443], [0.376, -0.185, 0.155, -0.104], [0.415, -0.041, -0.235, -0.253], [0.061, -0.237, 0.085, 0.398], [-0.101, -0.281, 0.498, 0.010], [-0.409, -0.453, -0.390, 0.127], [0.292, -0.078, -0.436, -0.118]]> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %i1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x8xf32>) outs(%i1 : tensor<4x8xf32>) -> tensor<4x8xf32> loc("fc1")
  %e2 = tensor.empty() : tensor<4x4xf32>
  %i2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%h, %w2 : tensor<4x8xf32>, tensor<8x4xf32>) outs(%i2 : tensor<4x4xf32>) -> tensor<4x4xf32> loc("fc2")
  return %y : tensor<4x4xf32>
}
