//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// Reading and writing NumPy's .npy format (numpy/lib/format.py): a magic
// string, a version, a little-endian header length, a Python dict literal
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces and a newline so the data starts on a 64-byte boundary,
// then the elements in C order. Versions 1.0, 2.0 and 3.0 are read; 1.0 is
// written (2.0 only when the header would not fit 1.0's 16-bit length).
//
// Plain C++ without MLIR or exceptions: every failure is a message that names
// the file and says what is wrong.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IO_NPY_H
#define LOWBIT_IO_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::io {

/// The element types lowbit reads and writes. All are little-endian.
enum class DType {
  F16,  ///< '<f2', IEEE binary16
  F32,  ///< '<f4'
  F64,  ///< '<f8'
  I8,   ///< '|i1'
  U8,   ///< '|u1'
  I16,  ///< '<i2'
  I32,  ///< '<i4'
  I64,  ///< '<i8'
  Bool, ///< '|b1', one byte per element holding 0 or 1
};

/// Size in bytes of one element of `dtype`.
size_t dtypeSize(DType dtype);

/// The descr string written to the header, e.g. "<f4" or "|b1".
const char *dtypeDescr(DType dtype);

/// NumPy's name of `dtype`, e.g. "float32", "int8", "bool"; used in messages.
const char *dtypeName(DType dtype);

/// An array in C order whose elements are kept as the file stores them
/// (little-endian bytes).
struct NpyArray {
  DType dtype = DType::F32;
  /// Sizes of the dimensions; empty for a 0-d array (one element).
  std::vector<int64_t> shape;
  /// numElements() * dtypeSize(dtype) bytes.
  std::vector<uint8_t> data;

  /// Product of the shape (1 for a 0-d array).
  int64_t numElements() const;
};

/// Formats `shape` as Python prints a tuple: "()", "(3,)", "(2, 3)".
std::string formatShape(const std::vector<int64_t> &shape);

/// Decodes the .npy bytes `bytes[0, size)`; `name` (usually the path) starts
/// every error message. Returns false and sets `error` on failure: bad magic,
/// unsupported version, malformed header, unsupported or big-endian dtype,
/// fortran_order True, truncated data or bytes after the data.
bool parseNpy(const uint8_t *bytes, size_t size, const std::string &name,
              NpyArray &array, std::string &error);

/// Encodes `array` as .npy version 1.0 (2.0 if the header needs it). Returns
/// false and sets `error` when data.size() does not match the shape.
bool encodeNpy(const NpyArray &array, std::vector<uint8_t> &bytes,
               std::string &error);

/// Reads the .npy file `path`. Returns false and sets `error` (naming `path`)
/// when the file is missing, unreadable or malformed.
bool readNpy(const std::string &path, NpyArray &array, std::string &error);

/// Writes `array` to `path` atomically: the bytes go to `path`.tmp, which is
/// renamed to `path` only once it is complete, so a failure never leaves a
/// partial `path`. Returns false and sets `error` (naming `path`) on failure.
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

} // namespace lowbit::io

#endif // LOWBIT_IO_NPY_H
