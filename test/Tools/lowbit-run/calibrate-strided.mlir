// The runtime reads observed activations whatever their layout: a strided
// slice (columns 1 and 3 of x, passed as a subview with strides [4, 2]) and
// an f16 activation (extended to f32) with channel_axis = 0.
// x = [[100, -2, 300, 4], [500, 6, 700, -8]]:
//   slice [[-2, 4], [6, -8]]: min -8, max 6, per-column |max| [6, 8];
//   rows of x as channels: |max| [300, 700].
// RUN: rm -rf %t && mkdir -p %t/s
// RUN: %python %S/Inputs/make_npy.py %t/s/x.npy --shape=2x4 --values=100,-2,300,4,500,6,700,-8
// RUN: lowbit-run %s --calibrate=%t/s --stats=%t/stats.json 2>/dev/null
// RUN: %python -c "import json; a = json.load(open('%t/stats.json'))['activations']; print(a['slice']['min'], a['slice']['max'], a['slice']['channel_abs_max'], a['rows']['channel_abs_max'])" | FileCheck %s
// CHECK: -8 6 [6, 8] [300, 700]

func.func @main(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %e = tensor.extract_slice %x[0, 1] [2, 2] [1, 2] : tensor<2x4xf32> to tensor<2x2xf32>
  %o = lowbit.observe %e id "slice" stats [min_max, channel_abs_max] : tensor<2x2xf32>
  %h = arith.truncf %x : tensor<2x4xf32> to tensor<2x4xf16>
  %r = lowbit.observe %h id "rows" stats [channel_abs_max] {channel_axis = 0 : i64} : tensor<2x4xf16>
  return %o : tensor<2x2xf32>
}
