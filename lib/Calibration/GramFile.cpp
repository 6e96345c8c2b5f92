//===- GramFile.cpp - read the Gram matrices of lowbit-run --calibrate ----===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Calibration/GramFile.h"

#include <cstring>
#include <fstream>

using namespace lowbit::calib;

/// Reads a little-endian unsigned integer of `bytes` bytes.
static bool readUnsigned(std::istream &in, unsigned bytes, uint64_t &value) {
  unsigned char buffer[8];
  if (!in.read(reinterpret_cast<char *>(buffer), bytes))
    return false;
  value = 0;
  for (unsigned i = 0; i < bytes; ++i)
    value |= uint64_t(buffer[i]) << (8 * i);
  return true;
}

bool lowbit::calib::readGramFile(const std::string &path, GramFile &file,
                                 std::string &error) {
  file = GramFile();
  file.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "Gram file '" + path + "': cannot open it";
    return false;
  }
  in.seekg(0, std::ios::end);
  const uint64_t size = uint64_t(in.tellg());
  in.seekg(0);
  auto fail = [&](const std::string &what) {
    error = "Gram file '" + path + "': " + what;
    file.entries.clear();
    return false;
  };
  char magic[8];
  uint64_t version = 0, count = 0;
  if (!in.read(magic, 8) || !readUnsigned(in, 4, version) ||
      !readUnsigned(in, 4, count) || !readUnsigned(in, 8, file.fingerprint))
    return fail("truncated header (" + std::to_string(size) +
                " bytes, expected at least 24)");
  if (std::memcmp(magic, "LBGRAM\0\0", 8) != 0)
    return fail("not a Gram file (bad magic)");
  if (version != 1)
    return fail("unsupported version " + std::to_string(version) +
                ", expected 1");
  uint64_t position = 24;
  for (uint64_t i = 0; i < count; ++i) {
    GramEntry entry;
    uint64_t length = 0;
    if (!readUnsigned(in, 4, length) || position + 4 + length > size)
      return fail("truncated at matrix " + std::to_string(i) + " of " +
                  std::to_string(count) + " (its id)");
    entry.id.resize(length);
    in.read(entry.id.data(), std::streamsize(length));
    if (!readUnsigned(in, 8, entry.channels) ||
        !readUnsigned(in, 8, entry.rows))
      return fail("truncated at matrix " + std::to_string(i) + " of " +
                  std::to_string(count) + " ('" + entry.id + "': its size)");
    position += 4 + length + 16;
    if (entry.channels > (uint64_t(1) << 20))
      return fail("matrix '" + entry.id + "' claims " +
                  std::to_string(entry.channels) + " channels");
    const uint64_t bytes = entry.channels * entry.channels * 8;
    entry.offset = position;
    if (position + bytes > size)
      return fail("truncated in matrix '" + entry.id +
                  "': " + std::to_string(position + bytes - size) +
                  " bytes missing of " + std::to_string(bytes));
    position += bytes;
    in.seekg(std::streamoff(position));
    file.entries.push_back(std::move(entry));
  }
  if (position != size)
    return fail(std::to_string(size - position) + " trailing bytes after the " +
                std::to_string(count) + " matrices the header announces");
  return true;
}

bool lowbit::calib::loadGramMatrix(const GramFile &file, size_t index,
                                   std::vector<double> &matrix,
                                   std::string &error) {
  if (index >= file.entries.size()) {
    error = "Gram file '" + file.path + "': no matrix " +
            std::to_string(index) + " (it holds " +
            std::to_string(file.entries.size()) + ")";
    return false;
  }
  const GramEntry &entry = file.entries[index];
  std::ifstream in(file.path, std::ios::binary);
  matrix.assign(entry.channels * entry.channels, 0.0);
  in.seekg(std::streamoff(entry.offset));
  // The file is little-endian, as is every host lowbit builds on.
  if (!in || !in.read(reinterpret_cast<char *>(matrix.data()),
                      std::streamsize(matrix.size() * sizeof(double)))) {
    error = "Gram file '" + file.path + "': cannot read matrix '" + entry.id +
            "' (the file changed since it was indexed?)";
    matrix.clear();
    return false;
  }
  return true;
}
