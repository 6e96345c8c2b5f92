//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The layout, from numpy/lib/format.py:
//
//   offset 0   "\x93NUMPY"
//   offset 6   major, minor version bytes (1.0, 2.0 or 3.0)
//   offset 8   header length: uint16 LE (1.0) or uint32 LE (2.0, 3.0)
//   then       the header, a Python dict literal with exactly the keys
//              'descr', 'fortran_order' and 'shape', ASCII (1.0, 2.0) or
//              UTF-8 (3.0), padded with spaces and ending in '\n'
//   then       the elements, C order when fortran_order is False
//
// The writer produces the same bytes as numpy.save: keys sorted, 21 - digits
// spare spaces after the dict (numpy leaves room to grow the first axis),
// then 1 to 64 spaces and '\n' so the data starts on a 64-byte boundary.
//
//===----------------------------------------------------------------------===//

#include "lowbit/IO/Npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace lowbit::io;

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

namespace {

struct DTypeInfo {
  DType dtype;
  const char *descr;
  const char *name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F16, "<f2", "float16", 2}, {DType::F32, "<f4", "float32", 4},
    {DType::F64, "<f8", "float64", 8}, {DType::I8, "|i1", "int8", 1},
    {DType::U8, "|u1", "uint8", 1},    {DType::I16, "<i2", "int16", 2},
    {DType::I32, "<i4", "int32", 4},   {DType::I64, "<i8", "int64", 8},
    {DType::Bool, "|b1", "bool", 1},
};

const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &i : kDTypes)
    if (i.dtype == dtype)
      return i;
  return kDTypes[1];
}

} // namespace

size_t lowbit::io::dtypeSize(DType dtype) { return info(dtype).size; }
const char *lowbit::io::dtypeDescr(DType dtype) { return info(dtype).descr; }
const char *lowbit::io::dtypeName(DType dtype) { return info(dtype).name; }

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string lowbit::io::formatShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

/// Maps a descr string to a dtype. One-byte types are accepted with '|' (what
/// numpy writes) or '<'; wider ones only little-endian.
static bool lookupDescr(const std::string &descr, DType &dtype) {
  if (descr.size() != 3)
    return false;
  for (const DTypeInfo &i : kDTypes) {
    if (descr.compare(1, 2, i.descr + 1) != 0)
      continue;
    if (descr[0] == '<' || (i.size == 1 && descr[0] == '|')) {
      dtype = i.dtype;
      return true;
    }
  }
  return false;
}

static std::string supportedDTypes() {
  std::string s;
  for (const DTypeInfo &i : kDTypes) {
    if (!s.empty())
      s += ", ";
    s += std::string(i.name) + " ('" + i.descr + "')";
  }
  return s;
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {

/// A recursive-descent reader for the subset of Python literals a .npy
/// header uses: a dict of string keys to strings, True/False and int tuples.
class HeaderParser {
public:
  HeaderParser(const std::string &text, std::string &error)
      : text(text), error(error) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("the header is not a dict literal");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key in the header dict");
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "' in the header");
      skipSpace();
      if (key == "descr") {
        if (haveDescr)
          return fail("duplicate key 'descr' in the header");
        if (peek() == '[')
          return fail("unsupported dtype: structured arrays (a list "
                      "'descr') are not supported");
        if (!parseString(descr))
          return fail("'descr' is not a string");
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (haveFortran)
          return fail("duplicate key 'fortran_order' in the header");
        if (consumeWord("True"))
          fortranOrder = true;
        else if (consumeWord("False"))
          fortranOrder = false;
        else
          return fail("'fortran_order' is neither True nor False");
        haveFortran = true;
      } else if (key == "shape") {
        if (haveShape)
          return fail("duplicate key 'shape' in the header");
        if (!parseShape(shape))
          return false;
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "' in the header");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' in the header dict");
    }
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the header dict");
    if (!haveDescr)
      return fail("the header has no 'descr'");
    if (!haveFortran)
      return fail("the header has no 'fortran_order'");
    if (!haveShape)
      return fail("the header has no 'shape'");
    return true;
  }

private:
  char peek() const { return pos < text.size() ? text[pos] : '\0'; }

  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }

  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t end = text.find(quote, pos + 1);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }

  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!consume('('))
      return fail("'shape' is not a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (peek() < '0' || peek() > '9')
        return fail("'shape' holds something other than non-negative "
                    "integers");
      int64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (__builtin_mul_overflow(value, int64_t(10), &value) ||
            __builtin_add_overflow(value, int64_t(peek() - '0'), &value))
          return fail("a dimension of 'shape' overflows int64");
        ++pos;
      }
      consume('L'); // Python 2 long literals in old files.
      shape.push_back(value);
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')')) {
        // "(3)" is an int in Python, not a tuple; numpy never writes it.
        if (shape.size() == 1)
          return fail("'shape' is not a tuple");
        return true;
      }
      return fail("expected ',' or ')' in 'shape'");
    }
  }

  bool fail(const std::string &message) {
    error = message;
    return false;
  }

  const std::string &text;
  std::string &error;
  size_t pos = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Decoding and encoding
//===----------------------------------------------------------------------===//

static const char kMagic[] = "\x93NUMPY";
static const size_t kMagicLen = 6;
/// numpy.lib.format.ARRAY_ALIGN and GROWTH_AXIS_MAX_DIGITS.
static const size_t kArrayAlign = 64;
static const size_t kGrowthAxisMaxDigits = 21;

static bool failWith(std::string &error, const std::string &name,
                     const std::string &message) {
  error = name + ": " + message;
  return false;
}

bool lowbit::io::parseNpy(const uint8_t *bytes, size_t size,
                          const std::string &name, NpyArray &array,
                          std::string &error) {
  if (size < kMagicLen || std::memcmp(bytes, kMagic, kMagicLen) != 0)
    return failWith(error, name,
                    "not a .npy file (bad magic string; expected "
                    "\"\\x93NUMPY\")");
  if (size < kMagicLen + 2)
    return failWith(error, name, "truncated header (no version bytes)");
  unsigned major = bytes[6], minor = bytes[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return failWith(error, name,
                    "unsupported .npy format version " + std::to_string(major) +
                        "." + std::to_string(minor) +
                        " (supported: 1.0, 2.0, 3.0)");
  size_t lenBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicLen + 2 + lenBytes;
  if (size < prefix)
    return failWith(error, name, "truncated header (no header length)");
  size_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i)
    headerLen |= size_t(bytes[8 + i]) << (8 * i);
  if (size - prefix < headerLen)
    return failWith(error, name,
                    "truncated header: it declares " +
                        std::to_string(headerLen) + " bytes but the file has " +
                        std::to_string(size - prefix) + " after the prefix");
  std::string header(reinterpret_cast<const char *>(bytes + prefix), headerLen);

  std::string descr, headerError;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  HeaderParser parser(header, headerError);
  if (!parser.parse(descr, fortranOrder, shape))
    return failWith(error, name, "malformed header: " + headerError);

  DType dtype;
  if (!lookupDescr(descr, dtype)) {
    std::string why = "unsupported dtype '" + descr + "'";
    if (descr.size() == 3 && descr[0] == '>')
      why += " (big-endian)";
    return failWith(error, name, why + "; supported: " + supportedDTypes());
  }
  if (fortranOrder)
    return failWith(error, name,
                    "fortran_order is True; only C-order arrays are "
                    "supported (save with numpy.ascontiguousarray)");

  uint64_t numBytes = dtypeSize(dtype);
  for (int64_t d : shape)
    if (__builtin_mul_overflow(numBytes, uint64_t(d), &numBytes))
      return failWith(error, name,
                      "shape " + formatShape(shape) + " is too large");
  size_t available = size - prefix - headerLen;
  if (available < numBytes)
    return failWith(error, name,
                    "truncated data: shape " + formatShape(shape) + " of " +
                        dtypeName(dtype) + " needs " +
                        std::to_string(numBytes) + " bytes, the file has " +
                        std::to_string(available));
  if (available > numBytes)
    return failWith(error, name,
                    std::to_string(available - numBytes) +
                        " unexpected bytes after the data of shape " +
                        formatShape(shape));

  array.dtype = dtype;
  array.shape = std::move(shape);
  const uint8_t *data = bytes + prefix + headerLen;
  array.data.assign(data, data + numBytes);
  // numpy stores 0 or 1; anything else still means true.
  if (dtype == DType::Bool)
    for (uint8_t &b : array.data)
      b = b != 0;
  return true;
}

bool lowbit::io::encodeNpy(const NpyArray &array, std::vector<uint8_t> &bytes,
                           std::string &error) {
  uint64_t numBytes = dtypeSize(array.dtype);
  for (int64_t d : array.shape) {
    if (d < 0) {
      error = "negative dimension in shape " + formatShape(array.shape);
      return false;
    }
    if (__builtin_mul_overflow(numBytes, uint64_t(d), &numBytes)) {
      error = "shape " + formatShape(array.shape) + " is too large";
      return false;
    }
  }
  if (array.data.size() != numBytes) {
    error = "shape " + formatShape(array.shape) + " of " +
            dtypeName(array.dtype) + " needs " + std::to_string(numBytes) +
            " bytes of data, got " + std::to_string(array.data.size());
    return false;
  }

  std::string header =
      std::string("{'descr': '") + dtypeDescr(array.dtype) +
      "', 'fortran_order': False, 'shape': " + formatShape(array.shape) + ", }";
  if (!array.shape.empty()) {
    size_t digits = std::to_string(array.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits)
      header.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  // Version 1.0 unless the header overflows its 16-bit length.
  unsigned major = 1;
  size_t lenBytes = 2;
  size_t withNewline = header.size() + 1;
  size_t padding =
      kArrayAlign - (kMagicLen + 2 + lenBytes + withNewline) % kArrayAlign;
  if (withNewline + padding > 0xffff) {
    major = 2;
    lenBytes = 4;
    padding =
        kArrayAlign - (kMagicLen + 2 + lenBytes + withNewline) % kArrayAlign;
  }
  header.append(padding, ' ');
  header += '\n';

  bytes.clear();
  bytes.reserve(kMagicLen + 2 + lenBytes + header.size() + numBytes);
  bytes.insert(bytes.end(), kMagic, kMagic + kMagicLen);
  bytes.push_back(uint8_t(major));
  bytes.push_back(0);
  for (size_t i = 0; i < lenBytes; ++i)
    bytes.push_back(uint8_t(header.size() >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());
  return true;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

bool lowbit::io::readNpy(const std::string &path, NpyArray &array,
                         std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return failWith(error, path,
                    std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + n);
  bool readError = std::ferror(file);
  int savedErrno = errno;
  std::fclose(file);
  if (readError)
    return failWith(error, path,
                    std::string("cannot read: ") + std::strerror(savedErrno));
  return parseNpy(bytes.data(), bytes.size(), path, array, error);
}

bool lowbit::io::writeNpy(const std::string &path, const NpyArray &array,
                          std::string &error) {
  std::vector<uint8_t> bytes;
  std::string encodeError;
  if (!encodeNpy(array, bytes, encodeError))
    return failWith(error, path, encodeError);

  std::string tmp = path + ".tmp";
  std::FILE *file = std::fopen(tmp.c_str(), "wb");
  if (!file)
    return failWith(error, path,
                    "cannot create '" + tmp + "': " + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  int savedErrno = errno;
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    savedErrno = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return failWith(error, path,
                    "cannot write '" + tmp + "': " + std::strerror(savedErrno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    savedErrno = errno;
    std::remove(tmp.c_str());
    return failWith(error, path,
                    std::string("cannot rename the temporary file onto it: ") +
                        std::strerror(savedErrno));
  }
  return true;
}
