// lowbit-lower-cpu-intrinsics: lowbit.dot_u8s8 becomes the vpdpbusd
// intrinsic of its width, lowbit.dot_bf16 the vdpbf16ps one,
// lowbit.permute16 vpermps, lowbit.permute_words32 vpermw, lowbit.dot_i16
// pmaddwd and an add (16 lanes in two 256-bit halves).
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

// CHECK-LABEL: func.func @i16_dots(
// CHECK-SAME: %[[A4:.*]]: vector<4xi32>, %[[X8:.*]]: vector<8xi16>, %[[W8:.*]]: vector<8xi16>, %[[A8:.*]]: vector<8xi32>, %[[X16:.*]]: vector<16xi16>, %[[W16:.*]]: vector<16xi16>, %[[A16:.*]]: vector<16xi32>, %[[X32:.*]]: vector<32xi16>, %[[W32:.*]]: vector<32xi16>
// CHECK: %[[P4:.*]] = llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%[[X8]], %[[W8]]) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// CHECK: %[[R4:.*]] = llvm.add %[[A4]], %[[P4]] : vector<4xi32>
// CHECK: %[[P8:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[X16]], %[[W16]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: %[[R8:.*]] = llvm.add %[[A8]], %[[P8]] : vector<8xi32>
// CHECK: %[[XL:.*]] = llvm.shufflevector %[[X32]], %[[X32]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<32xi16>
// CHECK: %[[WL:.*]] = llvm.shufflevector %[[W32]], %[[W32]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<32xi16>
// CHECK: %[[PL:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[XL]], %[[WL]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: %[[XH:.*]] = llvm.shufflevector %[[X32]], %[[X32]] [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<32xi16>
// CHECK: %[[WH:.*]] = llvm.shufflevector %[[W32]], %[[W32]] [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<32xi16>
// CHECK: %[[PH:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[XH]], %[[WH]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: %[[P16:.*]] = llvm.shufflevector %[[PL]], %[[PH]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<8xi32>
// CHECK: %[[R16:.*]] = llvm.add %[[A16]], %[[P16]] : vector<16xi32>
// CHECK: return %[[R4]], %[[R8]], %[[R16]]
func.func @i16_dots(%a4: vector<4xi32>, %x8: vector<8xi16>, %w8: vector<8xi16>,
                    %a8: vector<8xi32>, %x16: vector<16xi16>, %w16: vector<16xi16>,
                    %a16: vector<16xi32>, %x32: vector<32xi16>, %w32: vector<32xi16>)
    -> (vector<4xi32>, vector<8xi32>, vector<16xi32>) {
  %r4 = lowbit.dot_i16 %a4, %x8, %w8 : vector<8xi16> -> vector<4xi32>
  %r8 = lowbit.dot_i16 %a8, %x16, %w16 : vector<16xi16> -> vector<8xi32>
  %r16 = lowbit.dot_i16 %a16, %x32, %w32 : vector<32xi16> -> vector<16xi32>
  return %r4, %r8, %r16 : vector<4xi32>, vector<8xi32>, vector<16xi32>
}
