// The IDX reader on the real Fashion-MNIST files and on broken copies: every
// failure names the file and the offset in the uncompressed stream.
#include "runtime/data/IdxReader.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;

class IdxReaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fiver-idx-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` gzip-compressed to a file in the temp folder.
  std::string writeGz(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::string path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    gzclose(f);
    return path;
  }

  static std::vector<uint8_t> header(uint32_t magic, std::vector<uint32_t> dims) {
    std::vector<uint8_t> out;
    auto put = [&](uint32_t v) {
      for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(uint8_t(v >> shift));
    };
    put(magic);
    for (uint32_t d : dims)
      put(d);
    return out;
  }

  // The message readIdx throws, or "" when it does not.
  static std::string errorOf(const std::string& path, int rank) {
    try {
      readIdx(path, rank);
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(IdxReaderTest, ReadsFashionMnistTrainingSet) {
  std::string dir = testing::kFashionMnistDir;
  IdxArray images = readIdx(dir + "/train-images-idx3-ubyte.gz", 3);
  IdxArray labels = readIdx(dir + "/train-labels-idx1-ubyte.gz", 1);
  EXPECT_EQ(images.dims, (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(images.data.size(), 60000u * 28 * 28);
  ASSERT_EQ(labels.dims, (std::vector<int64_t>{60000}));
  EXPECT_LT(*std::max_element(labels.data.begin(), labels.data.end()), 10);
  EXPECT_GT(*std::max_element(images.data.begin(), images.data.end()), 0);
}

TEST_F(IdxReaderTest, ShortDataNamesFileAndOffset) {
  std::vector<uint8_t> bytes = header(0x00000803, {2, 28, 28});
  bytes.resize(bytes.size() + 1000, 7); // two images need 1568 bytes
  std::string path = writeGz("short-images.gz", bytes);
  std::string error = errorOf(path, 3);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset 1016"), std::string::npos) << error;
}

TEST_F(IdxReaderTest, TruncatedGzipNamesFileAndOffset) {
  std::string original = std::string(testing::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz";
  std::ifstream in(original, std::ios::binary);
  std::vector<char> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(gz.size(), 100000u);
  std::string path = (dir_ / "t10k-images-idx3-ubyte.gz").string();
  std::ofstream(path, std::ios::binary)
      .write(gz.data(), static_cast<std::streamsize>(gz.size() / 2));
  std::string error = errorOf(path, 3);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset "), std::string::npos) << error;
  // Half the compressed file decodes to well past the 16-byte header.
  size_t at = error.find("byte offset ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stoll(error.substr(at + 12)), 16) << error;
}

TEST_F(IdxReaderTest, BadMagicNamesFileAndOffsetZero) {
  std::vector<uint8_t> bytes = header(0x00000801, {2, 28, 28}); // a label file's magic
  std::string path = writeGz("bad-magic.gz", bytes);
  std::string error = errorOf(path, 3);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset 0"), std::string::npos) << error;
  EXPECT_NE(error.find("magic"), std::string::npos) << error;
}

TEST_F(IdxReaderTest, TrailingBytesAreAnError) {
  std::vector<uint8_t> bytes = header(0x00000801, {3});
  bytes.insert(bytes.end(), {1, 2, 3, 4});
  std::string path = writeGz("long-labels.gz", bytes);
  std::string error = errorOf(path, 1);
  EXPECT_NE(error.find("byte offset 11"), std::string::npos) << error;
}

TEST_F(IdxReaderTest, MissingFileIsNamed) {
  std::string path = (dir_ / "absent.gz").string();
  EXPECT_NE(errorOf(path, 1).find(path), std::string::npos);
}

} // namespace
} // namespace fiver::runtime
