// lowbit-lower-cpu-intrinsics: lowbit.dot_u8s8 becomes the vpdpbusd
// intrinsic of its width, lowbit.dot_bf16 the vdpbf16ps one,
// lowbit.permute16 vpermps, lowbit.permute_words32 vpermw.
// RUN: lowbit-opt %s --lowbit-lower-cpu-intrinsics | FileCheck %s

// CHECK-LABEL: func.func @dots(
// CHECK-SAME: %[[A16:.*]]: vector<16xi32>, %[[X64:.*]]: vector<64xi8>, %[[W64:.*]]: vector<64xi8>, %[[A8:.*]]: vector<8xi32>, %[[X32:.*]]: vector<32xi8>, %[[W32:.*]]: vector<32xi8>
// CHECK: %[[R16:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[A16]], %[[X64]], %[[W64]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK: %[[R8:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%[[A8]], %[[X32]], %[[W32]]) : (vector<8xi32>, vector<32xi8>, vector<32xi8>) -> vector<8xi32>
// CHECK: return %[[R16]], %[[R8]]
func.func @dots(%a16: vector<16xi32>, %x64: vector<64xi8>, %w64: vector<64xi8>,
                %a8: vector<8xi32>, %x32: vector<32xi8>, %w32: vector<32xi8>)
    -> (vector<16xi32>, vector<8xi32>) {
  %r16 = lowbit.dot_u8s8 %a16, %x64, %w64 : vector<64xi8> -> vector<16xi32>
  %r8 = lowbit.dot_u8s8 %a8, %x32, %w32 : vector<32xi8> -> vector<8xi32>
  return %r16, %r8 : vector<16xi32>, vector<8xi32>
}

// CHECK-LABEL: func.func @bf16_dots(
// CHECK-SAME: %[[A16:.*]]: vector<16xf32>, %[[X32:.*]]: vector<32xbf16>, %[[W32:.*]]: vector<32xbf16>, %[[A8:.*]]: vector<8xf32>, %[[X16:.*]]: vector<16xbf16>, %[[W16:.*]]: vector<16xbf16>
// CHECK: %[[R16:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"(%[[A16]], %[[X32]], %[[W32]]) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
// CHECK: %[[R8:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.256"(%[[A8]], %[[X16]], %[[W16]]) : (vector<8xf32>, vector<16xbf16>, vector<16xbf16>) -> vector<8xf32>
// CHECK: return %[[R16]], %[[R8]]
func.func @bf16_dots(%a16: vector<16xf32>, %x32: vector<32xbf16>, %w32: vector<32xbf16>,
                     %a8: vector<8xf32>, %x16: vector<16xbf16>, %w16: vector<16xbf16>)
    -> (vector<16xf32>, vector<8xf32>) {
  %r16 = lowbit.dot_bf16 %a16, %x32, %w32 : vector<32xbf16> -> vector<16xf32>
  %r8 = lowbit.dot_bf16 %a8, %x16, %w16 : vector<16xbf16> -> vector<8xf32>
  return %r16, %r8 : vector<16xf32>, vector<8xf32>
}

// CHECK-LABEL: func.func @permute(
// CHECK-SAME: %[[T:.*]]: vector<16xf32>, %[[I:.*]]: vector<16xi32>
// CHECK: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[T]], %[[I]]) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
// CHECK: return %[[R]]
func.func @permute(%t: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  %r = lowbit.permute16 %t, %i : vector<16xi32> -> vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @permute_words(
// CHECK-SAME: %[[T:.*]]: vector<32xi16>, %[[I:.*]]: vector<32xi16>
// CHECK: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.permvar.hi.512"(%[[T]], %[[I]]) : (vector<32xi16>, vector<32xi16>) -> vector<32xi16>
// CHECK: return %[[R]]
func.func @permute_words(%t: vector<32xi16>, %i: vector<32xi16>) -> vector<32xi16> {
  %r = lowbit.permute_words32 %t, %i : vector<32xi16>
  return %r : vector<32xi16>
}
