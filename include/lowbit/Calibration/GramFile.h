//===- GramFile.h - read the Gram matrices of lowbit-run --calibrate -*- C++
//-*-===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// `lowbit-run --calibrate --stats=FILE` writes the Gram matrices X^T X of the
// observed activations to FILE.gram.bin (docs/Calibration-runtime.md):
//
//   "LBGRAM\0\0" | u32 version = 1 | u32 count | u64 fingerprint hash
//   count x { u32 id length | id bytes | u64 channels | u64 rows |
//             f64 X^T X[channels][channels] row-major }      (little-endian)
//
// readGramFile() indexes the file (ids, sizes, offsets) without reading the
// matrices; loadGramMatrix() reads one.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CALIBRATION_GRAMFILE_H
#define LOWBIT_CALIBRATION_GRAMFILE_H

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::calib {

/// One matrix of a Gram file.
struct GramEntry {
  /// The observer id (the matmul's statistics key).
  std::string id;
  /// K: the matrix is channels x channels.
  uint64_t channels = 0;
  /// Rows of X folded into it.
  uint64_t rows = 0;
  /// Byte offset of the first f64 of the matrix.
  uint64_t offset = 0;
};

/// The index of a Gram file.
struct GramFile {
  /// The file it was read from.
  std::string path;
  /// The model fingerprint hash of the header.
  uint64_t fingerprint = 0;
  /// In file order (the `gram.index` of the statistics JSON).
  std::vector<GramEntry> entries;
};

/// Indexes the Gram file at `path`. Returns false and sets `error` (naming
/// the file) when it cannot be opened, has a bad magic or version, or is
/// truncated (the message says which matrix and how many bytes are
/// missing), or has trailing bytes.
bool readGramFile(const std::string &path, GramFile &file, std::string &error);

/// Reads matrix `index` of `file` into `matrix` (channels^2 doubles).
/// Returns false and sets `error` when the index is out of range or the
/// file changed underneath (short read).
bool loadGramMatrix(const GramFile &file, size_t index,
                    std::vector<double> &matrix, std::string &error);

} // namespace lowbit::calib

#endif // LOWBIT_CALIBRATION_GRAMFILE_H
