// CIFAR-10 binary batches and JPEG image folders, on small files written
// here and on broken copies: every failure names the file and byte offset.
#include "runtime/data/CifarReader.h"
#include "runtime/data/Dataset.h"
#include "runtime/data/IdxReader.h"
#include "runtime/data/ImageFolderReader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#if __has_include(<turbojpeg.h>)
#include <turbojpeg.h>
#define FIVER_TEST_JPEG 1
#endif

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;

class DataFormatsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fiver-formats-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const fs::path& rel, const std::vector<uint8_t>& bytes) {
    fs::path path = dir_ / rel;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }

  // `n` records; record r has label r % 10 and every red pixel r, green r+1, blue r+2.
  static std::vector<uint8_t> cifarRecords(int n) {
    std::vector<uint8_t> bytes;
    for (int r = 0; r < n; ++r) {
      bytes.push_back(static_cast<uint8_t>(r % 10));
      for (int c = 0; c < 3; ++c)
        bytes.insert(bytes.end(), 1024, static_cast<uint8_t>(r + c));
    }
    return bytes;
  }

  static std::string errorOf(const std::function<void()>& f) {
    try {
      f();
    } catch (const DataError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST_F(DataFormatsTest, CifarRecordsAreDecodedInOrder) {
  write("data_batch_2.bin", cifarRecords(2));
  write("data_batch_1.bin", cifarRecords(3));
  std::vector<std::string> files = cifarTrainFiles(dir_.string());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(files[0].ends_with("data_batch_1.bin"));
  CifarImages all;
  for (const auto& f : files)
    readCifarBatch(f, 10, all);
  ASSERT_EQ(all.count, 5);
  EXPECT_EQ(all.labels, (std::vector<uint8_t>{0, 1, 2, 0, 1}));
  // Record 2 of the first file: planes red, green, blue.
  EXPECT_EQ(all.pixels[2 * 3072], 2);
  EXPECT_EQ(all.pixels[2 * 3072 + 1024], 3);
  EXPECT_EQ(all.pixels[2 * 3072 + 2048 + 1023], 4);
}

TEST_F(DataFormatsTest, CifarDatasetLoadsThroughTheTask) {
  write("data_batch_1.bin", cifarRecords(6));
  write("test_batch.bin", cifarRecords(4));
  plan::Task task;
  task.dataset = "cifar10";
  task.path = dir_.string();
  task.inputShape = {3, 32, 32};
  task.classes = 10;
  Dataset d = loadDataset(task, 1);
  EXPECT_EQ(d.train.images.sizes().vec(), (std::vector<int64_t>{6, 3, 32, 32}));
  EXPECT_EQ(d.test.size(), 4);
  EXPECT_EQ(d.train.labels[5].item<int64_t>(), 5);
}

TEST_F(DataFormatsTest, TruncatedCifarNamesFileAndOffset) {
  std::vector<uint8_t> bytes = cifarRecords(3);
  bytes.resize(2 * kCifarRecordBytes + 100);
  std::string path = write("data_batch_1.bin", bytes);
  CifarImages all;
  std::string error = errorOf([&] { readCifarBatch(path, 10, all); });
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("byte offset 6146"), std::string::npos) << error;
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
}

TEST_F(DataFormatsTest, CifarLabelOutOfRangeNamesOffset) {
  std::vector<uint8_t> bytes = cifarRecords(3);
  bytes[kCifarRecordBytes] = 12;
  std::string path = write("data_batch_1.bin", bytes);
  CifarImages all;
  std::string error = errorOf([&] { readCifarBatch(path, 10, all); });
  EXPECT_NE(error.find(path + ": byte offset 3073: label 12"), std::string::npos) << error;
  EXPECT_NE(errorOf([&] { readCifarBatch(write("empty.bin", {}), 10, all); }).find("byte offset 0"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { cifarTrainFiles((dir_ / "none").string()); }), "");
}

#ifdef FIVER_TEST_JPEG
// An RGB JPEG of `w` x `h`: one colour, or with `noise` a pseudo-random red
// plane (so that the entropy-coded data dwarfs the header).
std::vector<uint8_t> solidJpeg(int w, int h, uint8_t r, uint8_t g, uint8_t b, bool noise = false) {
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  uint32_t x = 12345;
  for (size_t i = 0; i < rgb.size(); i += 3) {
    x = x * 1664525u + 1013904223u;
    rgb[i] = noise ? static_cast<unsigned char>(x >> 24) : r;
    rgb[i + 1] = g;
    rgb[i + 2] = b;
  }
  tjhandle tj = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(tj, rgb.data(), w, 0, h, TJPF_RGB, &out, &size, TJSAMP_444, 95, 0), 0);
  std::vector<uint8_t> bytes(out, out + size);
  tjFree(out);
  tjDestroy(tj);
  return bytes;
}

TEST_F(DataFormatsTest, ImageFolderClassesAreSubfolders) {
  write("train/cat/a.jpg", solidJpeg(8, 6, 200, 10, 10));
  write("train/cat/b.jpeg", solidJpeg(8, 6, 200, 10, 10));
  write("train/dog/a.jpg", solidJpeg(8, 6, 10, 10, 200));
  write("train/dog/notes.txt", {1, 2, 3});
  FolderImages f = readImageFolder((dir_ / "train").string(), 3, 6, 8, 10);
  ASSERT_EQ(f.count, 3);
  EXPECT_EQ(f.classes, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(f.labels, (std::vector<uint8_t>{0, 0, 1}));
  const size_t image = 3 * 6 * 8, plane = 6 * 8;
  EXPECT_NEAR(f.pixels[0], 200, 3);                     // cat: red plane
  EXPECT_NEAR(f.pixels[2 * plane], 10, 3);              // cat: blue plane
  EXPECT_NEAR(f.pixels[2 * image + 2 * plane], 200, 3); // dog: blue plane
  FolderImages gray = readImageFolder((dir_ / "train").string(), 1, 6, 8, 10);
  EXPECT_EQ(gray.pixels.size(), 3u * plane);
}

TEST_F(DataFormatsTest, TruncatedJpegNamesFileAndOffset) {
  std::vector<uint8_t> jpeg = solidJpeg(64, 64, 90, 90, 90, true);
  write("train/a/ok.jpg", jpeg);
  ASSERT_GT(jpeg.size(), 2000u);
  std::vector<uint8_t> cut(jpeg.begin(), jpeg.end() - 1000);
  std::string path = write("train/a/cut.jpg", cut);
  std::string error = errorOf([&] { readImageFolder((dir_ / "train").string(), 3, 64, 64, 10); });
  EXPECT_NE(error.find(path + ": byte offset " + std::to_string(cut.size())), std::string::npos)
      << error;
  std::string junk = write("bad/a/junk.jpg", {0x12, 0x34, 0x56});
  error = errorOf([&] { readImageFolder((dir_ / "bad").string(), 3, 64, 64, 10); });
  EXPECT_NE(error.find(junk + ": byte offset 0"), std::string::npos) << error;
  error = errorOf([&] { readImageFolder((dir_ / "train").string(), 3, 8, 8, 10); });
  EXPECT_NE(error.find("64x64"), std::string::npos) << error;
}
#endif

} // namespace
} // namespace fiver::runtime
