//===- LowbitEnums.td - lowbit enumerations ----------------------*- tablegen -*-===//
//
// Storage formats, scale granularities and observer statistic kinds.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD

include "mlir/IR/EnumAttr.td"

def Lowbit_StorageFormat : I32EnumAttr<"StorageFormat",
    "how a quantized code is stored and what value it stands for", [
  I32EnumAttrCase<"I8", 0, "i8">,
  I32EnumAttrCase<"U8", 1, "u8">,
  I32EnumAttrCase<"I4", 2, "i4">,
  I32EnumAttrCase<"U4", 3, "u4">,
  I32EnumAttrCase<"NF4", 4, "nf4">,
  I32EnumAttrCase<"F4E2M1FN", 5, "f4E2M1FN">,
  I32EnumAttrCase<"F8E4M3FN", 6, "f8E4M3FN">,
  I32EnumAttrCase<"F8E5M2", 7, "f8E5M2">]> {
  let cppNamespace = "::mlir::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_Granularity : I32EnumAttr<"Granularity",
    "which elements share one scale", [
  I32EnumAttrCase<"Tensor", 0, "tensor">,
  I32EnumAttrCase<"Axis", 1, "axis">,
  I32EnumAttrCase<"Group", 2, "group">]> {
  let cppNamespace = "::mlir::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_StatisticKind : I32EnumAttr<"StatisticKind",
    "a statistic that an observer gathers", [
  I32EnumAttrCase<"MinMax", 0, "min_max">,
  I32EnumAttrCase<"MovingAverageMinMax", 1, "moving_average_min_max">,
  I32EnumAttrCase<"Histogram", 2, "histogram">,
  I32EnumAttrCase<"ChannelAbsMax", 3, "channel_abs_max">,
  I32EnumAttrCase<"Gram", 4, "gram">]> {
  let cppNamespace = "::mlir::lowbit";
  let genSpecializedAttr = 0;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
