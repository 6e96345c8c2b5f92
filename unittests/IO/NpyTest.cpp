//===- NpyTest.cpp - NumPy .npy reading and writing -----------------------===//
//
// Part of the lowbit project.
//
//===----------------------------------------------------------------------===//
//
// The expected bytes are written out from the format's definition
// (numpy/lib/format.py), not produced by the code under test.
//
//===----------------------------------------------------------------------===//

#include "lowbit/IO/Npy.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace lowbit::io;

namespace {

std::vector<uint8_t> bytesOf(const std::string &s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

/// A .npy file: magic, version `major`.0, the header length in 2 (1.0) or 4
/// bytes, `header` as given (no padding added), then `data`.
std::vector<uint8_t> makeFile(unsigned major, const std::string &header,
                              const std::vector<uint8_t> &data) {
  std::vector<uint8_t> bytes = bytesOf(std::string("\x93NUMPY", 6));
  bytes.push_back(uint8_t(major));
  bytes.push_back(0);
  size_t n = header.size();
  bytes.push_back(uint8_t(n));
  bytes.push_back(uint8_t(n >> 8));
  if (major != 1) {
    bytes.push_back(uint8_t(n >> 16));
    bytes.push_back(uint8_t(n >> 24));
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  NpyArray array;
  std::string error;
  EXPECT_FALSE(parseNpy(bytes.data(), bytes.size(), "t.npy", array, error));
  return error;
}

/// A fresh directory under the test temp dir, removed by the fixture.
class NpyFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "lowbit-npy-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    ASSERT_NE(mkdtemp(buf.data()), nullptr);
    dir = buf.data();
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  static bool exists(const std::string &p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0;
  }
  void writeRaw(const std::string &p, const std::vector<uint8_t> &bytes) {
    std::FILE *f = std::fopen(p.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    ASSERT_EQ(std::fclose(f), 0);
  }
  std::string dir;
};

//===----------------------------------------------------------------------===//
// Exact bytes
//===----------------------------------------------------------------------===//

TEST(NpyTest, HandWrittenFloat32Header) {
  // numpy.save(f, numpy.arange(6, dtype='<f4').reshape(2, 3)):
  // the dict is 59 characters, then 21 - len("2") = 20 spare spaces, then
  // padding so that 10 (prefix) + header length is a multiple of 64:
  // 10 + 59 + 20 + 1 ('\n') = 90, 128 - 90 = 38 more spaces. Header length
  // 59 + 20 + 38 + 1 = 118 = 0x76.
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expected += std::string(20 + 38, ' ') + "\n";
  ASSERT_EQ(expected.size(), 128u);
  // 0.0f..5.0f as little-endian IEEE binary32.
  const uint8_t values[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f,
                            0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,
                            0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40};
  expected.append(reinterpret_cast<const char *>(values), sizeof(values));

  NpyArray array;
  array.dtype = DType::F32;
  array.shape = {2, 3};
  for (int i = 0; i < 6; ++i) {
    float f = float(i);
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    array.data.insert(array.data.end(), b, b + 4);
  }
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(encodeNpy(array, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), expected);

  NpyArray back;
  ASSERT_TRUE(parseNpy(reinterpret_cast<const uint8_t *>(expected.data()),
                       expected.size(), "t.npy", back, error))
      << error;
  EXPECT_EQ(back.dtype, DType::F32);
  EXPECT_EQ(back.shape, array.shape);
  EXPECT_EQ(back.data, array.data);
}

TEST(NpyTest, HandWrittenScalarBoolHeader) {
  // numpy.save(f, numpy.bool_(True)): a 0-d array has no growth spaces;
  // 10 + 55 + 1 = 66, 128 - 66 = 62 spaces, header length 118 = 0x76.
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += "{'descr': '|b1', 'fortran_order': False, 'shape': (), }";
  expected += std::string(62, ' ') + "\n";
  expected += '\x01';

  NpyArray array;
  array.dtype = DType::Bool;
  array.data = {1};
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(encodeNpy(array, bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), expected);
}

TEST(NpyTest, ShapeFormatting) {
  EXPECT_EQ(formatShape({}), "()");
  EXPECT_EQ(formatShape({3}), "(3,)");
  EXPECT_EQ(formatShape({4, 8}), "(4, 8)");
  EXPECT_EQ(formatShape({1, 0, 2}), "(1, 0, 2)");
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

struct DTypeCase {
  DType dtype;
  const char *descr;
  const char *name;
  size_t size;
};

class NpyRoundTripTest : public ::testing::TestWithParam<DTypeCase> {};

TEST_P(NpyRoundTripTest, EveryDType) {
  const DTypeCase &c = GetParam();
  EXPECT_EQ(dtypeSize(c.dtype), c.size);
  EXPECT_STREQ(dtypeDescr(c.dtype), c.descr);
  EXPECT_STREQ(dtypeName(c.dtype), c.name);

  for (const std::vector<int64_t> &shape :
       {std::vector<int64_t>{}, {5}, {2, 3, 4}, {3, 0}}) {
    NpyArray array;
    array.dtype = c.dtype;
    array.shape = shape;
    array.data.resize(size_t(array.numElements()) * c.size);
    for (size_t i = 0; i < array.data.size(); ++i)
      array.data[i] =
          c.dtype == DType::Bool ? uint8_t(i % 3 == 0) : uint8_t(i * 37 + 11);
    std::vector<uint8_t> bytes;
    std::string error;
    ASSERT_TRUE(encodeNpy(array, bytes, error)) << error;
    // The data starts on a 64-byte boundary.
    EXPECT_EQ((bytes.size() - array.data.size()) % 64, 0u);
    std::string header(bytes.begin() + 10,
                       bytes.end() - long(array.data.size()));
    EXPECT_EQ(header.rfind(std::string("{'descr': '") + c.descr + "'", 0), 0u);
    EXPECT_EQ(header.back(), '\n');

    NpyArray back;
    ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), "t.npy", back, error))
        << error;
    EXPECT_EQ(back.dtype, c.dtype);
    EXPECT_EQ(back.shape, shape);
    EXPECT_EQ(back.data, array.data);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllDTypes, NpyRoundTripTest,
    ::testing::Values(DTypeCase{DType::F16, "<f2", "float16", 2},
                      DTypeCase{DType::F32, "<f4", "float32", 4},
                      DTypeCase{DType::F64, "<f8", "float64", 8},
                      DTypeCase{DType::I8, "|i1", "int8", 1},
                      DTypeCase{DType::U8, "|u1", "uint8", 1},
                      DTypeCase{DType::I16, "<i2", "int16", 2},
                      DTypeCase{DType::I32, "<i4", "int32", 4},
                      DTypeCase{DType::I64, "<i8", "int64", 8},
                      DTypeCase{DType::Bool, "|b1", "bool", 1}),
    [](const ::testing::TestParamInfo<DTypeCase> &info) {
      return std::string(info.param.name);
    });

TEST(NpyTest, ReadsVersions2And3AndLooseHeaders) {
  // Double quotes, other key order, no trailing comma, no padding: numpy
  // accepts all of these since it evaluates the header as a literal.
  const std::vector<uint8_t> data = {0x01, 0x00, 0x00, 0x00,
                                     0xff, 0xff, 0xff, 0xff};
  for (unsigned major : {1u, 2u, 3u}) {
    std::vector<uint8_t> bytes = makeFile(
        major, "{\"shape\": (2,), \"fortran_order\": False, 'descr': '<i4'}\n",
        data);
    NpyArray array;
    std::string error;
    ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), "t.npy", array, error))
        << error;
    EXPECT_EQ(array.dtype, DType::I32);
    EXPECT_EQ(array.shape, std::vector<int64_t>{2});
    EXPECT_EQ(array.data, data);
  }
}

TEST(NpyTest, AcceptsLittleEndianSingleByteDescr) {
  std::vector<uint8_t> bytes = makeFile(
      1, "{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }\n", {7});
  NpyArray array;
  std::string error;
  ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), "t.npy", array, error))
      << error;
  EXPECT_EQ(array.dtype, DType::U8);
}

TEST(NpyTest, BoolBytesAreNormalized) {
  std::vector<uint8_t> bytes =
      makeFile(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }\n",
               {0, 1, 2});
  NpyArray array;
  std::string error;
  ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), "t.npy", array, error))
      << error;
  EXPECT_EQ(array.data, (std::vector<uint8_t>{0, 1, 1}));
}

//===----------------------------------------------------------------------===//
// Malformed input
//===----------------------------------------------------------------------===//

TEST(NpyTest, BadMagic) {
  std::vector<uint8_t> bytes =
      makeFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n",
               {0, 0, 0, 0});
  bytes[1] = 'M';
  EXPECT_EQ(parseError(bytes),
            "t.npy: not a .npy file (bad magic string; expected "
            "\"\\x93NUMPY\")");
  EXPECT_EQ(parseError(bytesOf("PK\x03\x04")).rfind("t.npy: not a .npy", 0),
            0u);
  EXPECT_EQ(parseError({}).rfind("t.npy: not a .npy", 0), 0u);
}

TEST(NpyTest, UnsupportedVersion) {
  std::vector<uint8_t> bytes =
      makeFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n",
               {0, 0, 0, 0});
  bytes[6] = 4;
  EXPECT_EQ(parseError(bytes), "t.npy: unsupported .npy format version 4.0 "
                               "(supported: 1.0, 2.0, 3.0)");
}

TEST(NpyTest, TruncatedHeader) {
  std::vector<uint8_t> bytes = makeFile(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", {});
  // Cut in the middle of the header: 10 prefix bytes + 20 of 56.
  bytes.resize(30);
  EXPECT_EQ(parseError(bytes), "t.npy: truncated header: it declares 56 "
                               "bytes but the file has 20 after the prefix");
  bytes.resize(9);
  EXPECT_EQ(parseError(bytes), "t.npy: truncated header (no header length)");
}

TEST(NpyTest, TruncatedData) {
  // (2, 3) float32 needs 24 bytes; give 20.
  std::vector<uint8_t> bytes = makeFile(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n",
      std::vector<uint8_t>(20, 0));
  EXPECT_EQ(parseError(bytes), "t.npy: truncated data: shape (2, 3) of "
                               "float32 needs 24 bytes, the file has 20");
}

TEST(NpyTest, TrailingBytes) {
  std::vector<uint8_t> bytes =
      makeFile(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }\n",
               {1, 2, 3});
  EXPECT_EQ(parseError(bytes),
            "t.npy: 1 unexpected bytes after the data of shape (2,)");
}

TEST(NpyTest, FortranOrder) {
  std::vector<uint8_t> bytes = makeFile(
      1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }\n",
      {0, 0, 0, 0});
  EXPECT_EQ(parseError(bytes),
            "t.npy: fortran_order is True; only C-order arrays are supported "
            "(save with numpy.ascontiguousarray)");
}

TEST(NpyTest, UnsupportedDTypes) {
  for (const char *descr : {"<c8", "<u4", "<f16", "|O", "<M8[ns]", "|S4"}) {
    std::vector<uint8_t> bytes =
        makeFile(1,
                 std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': (1,), }\n",
                 std::vector<uint8_t>(8, 0));
    std::string error = parseError(bytes);
    EXPECT_EQ(error.rfind(std::string("t.npy: unsupported dtype '") + descr +
                              "'; supported: float16 ('<f2'), ",
                          0),
              0u)
        << error;
  }
  std::vector<uint8_t> bytes =
      makeFile(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n",
               {0, 0, 0, 0});
  EXPECT_EQ(parseError(bytes).rfind(
                "t.npy: unsupported dtype '>f4' (big-endian); supported: ", 0),
            0u);
  // '|' means "not applicable", which a 4-byte type cannot be.
  bytes =
      makeFile(1, "{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }\n",
               {0, 0, 0, 0});
  EXPECT_EQ(parseError(bytes).rfind("t.npy: unsupported dtype '|f4'", 0), 0u);
  bytes = makeFile(1,
                   "{'descr': [('a', '<f4')], 'fortran_order': False, "
                   "'shape': (1,), }\n",
                   {0, 0, 0, 0});
  EXPECT_EQ(parseError(bytes),
            "t.npy: malformed header: unsupported dtype: structured arrays "
            "(a list 'descr') are not supported");
}

TEST(NpyTest, MalformedHeaders) {
  struct Case {
    const char *header;
    const char *message;
  };
  const Case cases[] = {
      {"['descr', '<f4']\n", "the header is not a dict literal"},
      {"{'descr': '<f4', 'fortran_order': False}\n",
       "the header has no 'shape'"},
      {"{'descr': '<f4', 'shape': (1,)}\n",
       "the header has no 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (1,)}\n",
       "the header has no 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n",
       "unexpected key 'x' in the header"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}\n",
       "'shape' is not a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}\n",
       "'shape' holds something other than non-negative integers"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}\n",
       "'fortran_order' is neither True nor False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x\n",
       "unexpected text after the header dict"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
       "'shape': (1,)}\n",
       "duplicate key 'descr' in the header"},
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (99999999999999999999,)}\n",
       "a dimension of 'shape' overflows int64"},
  };
  for (const Case &c : cases) {
    std::vector<uint8_t> bytes = makeFile(1, c.header, {0, 0, 0, 0});
    EXPECT_EQ(parseError(bytes),
              std::string("t.npy: malformed header: ") + c.message)
        << c.header;
  }
}

TEST(NpyTest, HugeShapeIsRejected) {
  std::vector<uint8_t> bytes =
      makeFile(1,
               "{'descr': '<f8', 'fortran_order': False, "
               "'shape': (4294967296, 4294967296)}\n",
               {});
  EXPECT_EQ(parseError(bytes),
            "t.npy: shape (4294967296, 4294967296) is too large");
}

TEST(NpyTest, EncodeChecksDataSize) {
  NpyArray array;
  array.dtype = DType::I16;
  array.shape = {3};
  array.data = {1, 2, 3};
  std::vector<uint8_t> bytes;
  std::string error;
  EXPECT_FALSE(encodeNpy(array, bytes, error));
  EXPECT_EQ(error, "shape (3,) of int16 needs 6 bytes of data, got 3");
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

TEST_F(NpyFileTest, WriteThenRead) {
  NpyArray array;
  array.dtype = DType::F64;
  array.shape = {2, 2};
  array.data.resize(32);
  for (size_t i = 0; i < 32; ++i)
    array.data[i] = uint8_t(i);
  std::string error;
  ASSERT_TRUE(writeNpy(path("a.npy"), array, error)) << error;
  EXPECT_FALSE(exists(path("a.npy.tmp")));
  NpyArray back;
  ASSERT_TRUE(readNpy(path("a.npy"), back, error)) << error;
  EXPECT_EQ(back.dtype, DType::F64);
  EXPECT_EQ(back.shape, array.shape);
  EXPECT_EQ(back.data, array.data);

  // Overwriting replaces the file as a whole.
  array.shape = {1};
  array.data.resize(8);
  ASSERT_TRUE(writeNpy(path("a.npy"), array, error)) << error;
  ASSERT_TRUE(readNpy(path("a.npy"), back, error)) << error;
  EXPECT_EQ(back.shape, std::vector<int64_t>{1});
  EXPECT_EQ(back.data, array.data);
}

TEST_F(NpyFileTest, MissingFile) {
  NpyArray array;
  std::string error;
  EXPECT_FALSE(readNpy(path("missing.npy"), array, error));
  EXPECT_EQ(error,
            path("missing.npy") + ": cannot open: No such file or directory");
}

TEST_F(NpyFileTest, ReadErrorsNameTheFile) {
  writeRaw(path("bad.npy"), bytesOf("not numpy"));
  NpyArray array;
  std::string error;
  EXPECT_FALSE(readNpy(path("bad.npy"), array, error));
  EXPECT_EQ(error.rfind(path("bad.npy") + ": not a .npy file", 0), 0u);

  // A directory opens but cannot be read.
  EXPECT_FALSE(readNpy(dir, array, error));
  EXPECT_EQ(error.rfind(dir + ": cannot ", 0), 0u) << error;
}

TEST_F(NpyFileTest, FailedWritesLeaveNothing) {
  NpyArray array;
  array.dtype = DType::F32;
  array.shape = {2};
  array.data.resize(8);
  std::string error;

  // No such directory.
  EXPECT_FALSE(writeNpy(path("nodir/x.npy"), array, error));
  EXPECT_EQ(error.rfind(path("nodir/x.npy") + ": cannot create '", 0), 0u);

  // Inconsistent array: nothing is created, not even the temporary file.
  array.data.resize(7);
  EXPECT_FALSE(writeNpy(path("x.npy"), array, error));
  EXPECT_EQ(error, path("x.npy") +
                       ": shape (2,) of float32 needs 8 bytes of data, got 7");
  EXPECT_FALSE(exists(path("x.npy")));
  EXPECT_FALSE(exists(path("x.npy.tmp")));

  // The rename fails when the target is a non-empty directory; the
  // temporary file is removed and the directory left alone.
  array.data.resize(8);
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0);
  writeRaw(path("d/keep"), {1});
  EXPECT_FALSE(writeNpy(path("d"), array, error));
  EXPECT_EQ(error.rfind(path("d") + ": cannot rename the temporary file", 0),
            0u)
      << error;
  EXPECT_FALSE(exists(path("d.tmp")));
  EXPECT_TRUE(exists(path("d/keep")));
}

TEST_F(NpyFileTest, FailedWriteKeepsThePreviousFile) {
  NpyArray array;
  array.dtype = DType::I8;
  array.shape = {3};
  array.data = {1, 2, 3};
  std::string error;
  ASSERT_TRUE(writeNpy(path("y.npy"), array, error)) << error;
  // A directory where the temporary file should go makes creating it fail.
  ASSERT_EQ(mkdir(path("y.npy.tmp").c_str(), 0755), 0);
  NpyArray other = array;
  other.data = {9, 9, 9};
  EXPECT_FALSE(writeNpy(path("y.npy"), other, error));
  NpyArray back;
  ASSERT_TRUE(readNpy(path("y.npy"), back, error)) << error;
  EXPECT_EQ(back.data, array.data);
}

} // namespace
