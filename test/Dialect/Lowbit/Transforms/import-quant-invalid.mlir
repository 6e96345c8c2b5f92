// lowbit-import-quant reports, at the cast, every !quant.uniform type that
// has no #lowbit.scheme form.
// RUN: lowbit-opt %s --split-input-file --lowbit-import-quant --verify-diagnostics

// lowbit stores 8- and 4-bit codes only.
func.func @storage_i16(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.5>> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.qcast: storage type i16 has no lowbit format; lowbit stores i8, u8, i4 and u4}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i16:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.5>>
}

// -----

// lowbit.quantize clamps to [-128, 127]; it could produce -128, which this
// type excludes.
func.func @narrow_range_quantize(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.qcast: storage range [-127, 127] is narrower than the range [-128, 127] of i8; lowbit.quantize clamps to the full range, so it cannot produce this type (dequantizing it is supported)}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
}

// -----

// lowbit's real tensors are f32, f16 or bf16.
func.func @expressed_f64(%q: tensor<4x!quant.uniform<i8:f64, 0.5>>) -> tensor<4xf64> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.dcast: expressed type 'f64' has no lowbit form; lowbit real tensors are f32, f16 or bf16}}
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f64, 0.5>> to tensor<4xf64>
  return %y : tensor<4xf64>
}

// -----

// Upstream does not bound zero-points; lowbit needs them among the codes.
func.func @zero_point_out_of_range(%q: tensor<4x!quant.uniform<i8:f32, 0.5:300>>) -> tensor<4xf32> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.dcast: zero point 300 is outside the code range [-128, 127] of i8}}
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5:300>> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Blocks of 2 rows x 2 columns: lowbit groups run along one axis only.
func.func @sub_channel_two_blocked_axes(%q: tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0, 2.0}, {3.0, 4.0}}>>) -> tensor<4x4xf32> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.dcast: sub-channel blocks larger than 1 along dimensions 0 and 1; lowbit groups run along one axis, with one scale per index of every other axis}}
  %y = quant.dcast %q : tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0, 2.0}, {3.0, 4.0}}>> to tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// Blocks of 2 along K shared by all 4 rows: a lowbit group needs one scale
// per row.
func.func @sub_channel_shared_rows(%q: tensor<4x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>) -> tensor<4x4xf32> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.dcast: sub-channel scales are shared along dimension 0 (of size 4) while dimension 1 is cut into blocks of 2; lowbit groups need block size 1 on every other dimension (one scale per index)}}
  %y = quant.dcast %q : tensor<4x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>> to tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// lowbit ops take ranked tensors.
func.func @scalar(%x: f32) -> !quant.uniform<i8:f32, 0.5> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.qcast: lowbit ops take ranked tensors, got '!quant.uniform<i8:f32, 5.000000e-01>'}}
  %q = quant.qcast %x : f32 to !quant.uniform<i8:f32, 0.5>
  return %q : !quant.uniform<i8:f32, 0.5>
}

// -----

func.func @unranked(%q: tensor<*x!quant.uniform<i8:f32, 0.5>>) -> tensor<*xf32> {
  // expected-error @+1 {{lowbit-import-quant: cannot import quant.dcast: lowbit ops take ranked tensors, got 'tensor<*x!quant.uniform<i8:f32, 5.000000e-01>>'}}
  %y = quant.dcast %q : tensor<*x!quant.uniform<i8:f32, 0.5>> to tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Every failing cast is reported, not only the first.
func.func @reports_every_cast(%a: tensor<4x!quant.uniform<i16:f32, 0.5>>, %b: tensor<4x!quant.uniform<u2:f32, 0.5>>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{storage type i16 has no lowbit format}}
  %x = quant.dcast %a : tensor<4x!quant.uniform<i16:f32, 0.5>> to tensor<4xf32>
  // expected-error @+1 {{storage type u2 has no lowbit format}}
  %y = quant.dcast %b : tensor<4x!quant.uniform<u2:f32, 0.5>> to tensor<4xf32>
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}
