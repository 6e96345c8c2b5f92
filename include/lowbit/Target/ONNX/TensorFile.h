//===- TensorFile.h - ONNX TensorProto files as arrays ----------*- C++ -*-===//
//
// Reads the serialized TensorProto files of ONNX test data sets
// (`input_0.pb`, `output_0.pb`) into the same array type as .npy files, so
// tools accept either.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_ONNX_TENSORFILE_H
#define LOWBIT_TARGET_ONNX_TENSORFILE_H

#include "lowbit/IO/Npy.h"

#include <string>

namespace lowbit::onnx_import {

/// Reads the TensorProto in `path` into `array` and its name into `name`.
/// Returns false and sets `error` (naming `path`) when the file is missing,
/// corrupt, or holds an element type .npy arrays cannot (strings, bf16,
/// 4-bit and 8-bit floats, complex).
bool readTensorProtoFile(const std::string &path, ::lowbit::io::NpyArray &array,
                         std::string &name, std::string &error);

} // namespace lowbit::onnx_import

#endif // LOWBIT_TARGET_ONNX_TENSORFILE_H
