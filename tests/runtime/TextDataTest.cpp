// The data of next-token tasks: byte windows of a text file or folder (label =
// input shifted by one), the 90/10 split, the caps and holdout on rows, clear
// errors that name the path, and the deterministic synthetic Markov text.
#include "runtime/data/BatchLoader.h"
#include "runtime/data/Dataset.h"
#include "runtime/data/IdxReader.h"
#include "runtime/data/TextReader.h"
#include "runtime/data/TextSplits.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;

class TextDataTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fiver-text-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  static plan::Task textTask(const fs::path& path, int64_t length) {
    plan::Task t;
    t.dataset = "text";
    t.path = path.string();
    t.inputShape = {length};
    t.classes = 256;
    return t;
  }

  static std::string errorOf(const plan::Task& task) {
    try {
      loadDataset(task, 1);
    } catch (const DataError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

// Byte i is 'A' + i % 50: windows show where they were cut.
std::string numberedText(int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i)
    s.push_back(static_cast<char>('A' + i % 50));
  return s;
}

TEST_F(TextDataTest, WindowsAreInputsAndTheirNextBytes) {
  const std::string text = numberedText(100);
  Dataset d = loadDataset(textTask(write("corpus.txt", text), 4), 1);
  // 90 training bytes hold (90 - 1) / 4 = 22 windows of 5; the last 10 hold 2.
  ASSERT_EQ(d.train.images.sizes(), (std::vector<int64_t>{22, 4}));
  ASSERT_EQ(d.train.labels.sizes(), (std::vector<int64_t>{22, 4}));
  ASSERT_EQ(d.test.images.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(d.train.images.scalar_type(), torch::kInt64);
  EXPECT_EQ(d.train.labels.scalar_type(), torch::kInt64);
  for (int64_t row = 0; row < 22; ++row)
    for (int64_t t = 0; t < 4; ++t) {
      EXPECT_EQ(d.train.images[row][t].item<int64_t>(), text[row * 4 + t]) << row << "," << t;
      EXPECT_EQ(d.train.labels[row][t].item<int64_t>(), text[row * 4 + t + 1]) << row << "," << t;
    }
  // The test split starts at byte 90 and never reads training bytes.
  EXPECT_EQ(d.test.images[0][0].item<int64_t>(), text[90]);
  EXPECT_EQ(d.test.labels[1][3].item<int64_t>(), text[98]);
  EXPECT_TRUE(d.test.labels.narrow(1, 0, 3).equal(d.test.images.narrow(1, 1, 3)));
  // Token ids are not normalized.
  EXPECT_EQ(d.mean, 0);
  EXPECT_EQ(d.std, 1);
  EXPECT_EQ(d.padValue, 0);
}

TEST_F(TextDataTest, WindowCountFollowsTheStride) {
  EXPECT_EQ(textWindowCount(4, 4), 0); // a window needs 5 bytes
  EXPECT_EQ(textWindowCount(5, 4), 1);
  EXPECT_EQ(textWindowCount(8, 4), 1);
  EXPECT_EQ(textWindowCount(9, 4), 2);
  EXPECT_EQ(textTrainBytes(100), 90);
  EXPECT_EQ(textTrainBytes(2576674), 2319006);
}

TEST_F(TextDataTest, FolderConcatenatesRegularFilesInNameOrder) {
  fs::path folder = dir_ / "corpus";
  fs::create_directories(folder);
  std::ofstream(folder / "b", std::ios::binary) << "world";
  std::ofstream(folder / "a", std::ios::binary) << "hello ";
  std::ofstream(folder / "a.dat", std::ios::binary) << "INDEX";
  fs::create_symlink(folder / "a", folder / "a.u8");
  fs::create_directories(folder / "sub");
  TextCorpus c = readTextCorpus(folder.string());
  EXPECT_EQ(std::string(c.bytes.begin(), c.bytes.end()), "hello world");
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(fs::path(c.files[0]).filename(), "a");
}

TEST_F(TextDataTest, ErrorsNameThePath) {
  const fs::path missing = dir_ / "missing";
  EXPECT_NE(errorOf(textTask(missing, 4)).find(missing.string()), std::string::npos);

  fs::path empty = dir_ / "empty";
  fs::create_directories(empty);
  std::ofstream(empty / "x.dat") << "index";
  std::string e = errorOf(textTask(empty, 4));
  EXPECT_NE(e.find(empty.string()), std::string::npos) << e;
  EXPECT_NE(e.find("no text files"), std::string::npos) << e;

  // 30 bytes: 27 train (5 windows of 4), 3 test: too short, at bytes 27 to 30.
  fs::path short_ = write("short.txt", numberedText(30));
  e = errorOf(textTask(short_, 4));
  EXPECT_NE(e.find(short_.string()), std::string::npos) << e;
  EXPECT_NE(e.find("test split, bytes 27 to 30"), std::string::npos) << e;

  plan::Task few = textTask(write("ok.txt", numberedText(100)), 4);
  few.classes = 100;
  e = errorOf(few);
  EXPECT_NE(e.find("256"), std::string::npos) << e;
  EXPECT_NE(e.find(few.path), std::string::npos) << e;
}

TEST_F(TextDataTest, SizesCapRowsAndHoldoutTakesRows) {
  plan::Task task = textTask(write("corpus.txt", numberedText(400)), 4);
  Dataset all = loadDataset(task, 1);
  task.trainSize = 5;
  task.testSize = 3;
  Dataset capped = loadDataset(task, 1);
  ASSERT_EQ(capped.train.size(), 5);
  ASSERT_EQ(capped.test.size(), 3);
  EXPECT_TRUE(capped.train.images.equal(all.train.images.narrow(0, 0, 5)));
  EXPECT_TRUE(capped.train.labels.equal(all.train.labels.narrow(0, 0, 5)));

  task.trainSize = 0;
  task.holdout = 10;
  Dataset held = loadDataset(task, 1);
  ASSERT_EQ(held.holdout.labels.sizes(), (std::vector<int64_t>{10, 4}));
  EXPECT_EQ(held.train.size(), all.train.size() - 10);
  EXPECT_TRUE(held.holdout.images.equal(all.train.images.index_select(0, held.holdoutOrigin)));
  EXPECT_TRUE(held.holdout.labels.equal(all.train.labels.index_select(0, held.holdoutOrigin)));
  EXPECT_TRUE(held.train.labels.equal(all.train.labels.index_select(0, held.trainOrigin)));
}

TEST_F(TextDataTest, BatchesGatherWholeRows) {
  Dataset d = loadDataset(textTask(write("corpus.txt", numberedText(400)), 8), 1);
  BatchLoader loader(d.train, 6, 5);
  loader.startEpoch(0);
  torch::Tensor x, y;
  ASSERT_TRUE(loader.next(x, y));
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{6, 8}));
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{6, 8}));
  EXPECT_TRUE(x.equal(d.train.images.index_select(0, loader.lastIndices())));
  EXPECT_TRUE(y.equal(d.train.labels.index_select(0, loader.lastIndices())));
}

plan::Task syntheticTextTask() {
  plan::Task t;
  t.dataset = "synthetic_text";
  t.inputShape = {12};
  t.classes = 10;
  t.trainSize = 64;
  t.testSize = 32;
  return t;
}

TEST_F(TextDataTest, SyntheticTextIsDeterministicAndFollowsOneChain) {
  Dataset a = loadDataset(syntheticTextTask(), 4), b = loadDataset(syntheticTextTask(), 4);
  Dataset other = loadDataset(syntheticTextTask(), 5);
  ASSERT_EQ(a.train.images.sizes(), (std::vector<int64_t>{64, 12}));
  ASSERT_EQ(a.test.labels.sizes(), (std::vector<int64_t>{32, 12}));
  EXPECT_TRUE(a.train.images.equal(b.train.images));
  EXPECT_TRUE(a.test.labels.equal(b.test.labels));
  EXPECT_FALSE(a.train.images.equal(other.train.images));
  EXPECT_FALSE(a.train.images.equal(a.test.images.narrow(0, 0, 32).repeat({2, 1})));
  for (const Split* s : {&a.train, &a.test}) {
    EXPECT_TRUE(s->labels.narrow(1, 0, 11).equal(s->images.narrow(1, 1, 11)));
    EXPECT_GE(s->images.min().item<int64_t>(), 0);
    EXPECT_LT(s->labels.max().item<int64_t>(), 10);
  }
  EXPECT_EQ(a.mean, 0);
  EXPECT_EQ(a.std, 1);
}

TEST_F(TextDataTest, MarkovChainHasAFewLikelySuccessors) {
  torch::Tensor chain = markovTransitions(16, 9);
  ASSERT_EQ(chain.sizes(), (std::vector<int64_t>{16, 16}));
  EXPECT_TRUE(torch::allclose(chain.sum(1), torch::ones({16})));
  // Two to four successors carry at least 8% each; the rest share 5%.
  torch::Tensor likely = (chain > 0.05).sum(1);
  EXPECT_GE(likely.min().item<int64_t>(), 2);
  EXPECT_LE(likely.max().item<int64_t>(), 4);
  EXPECT_TRUE(markovTransitions(16, 9).equal(chain));
  // Walks follow the chain: frequent transitions are the likely ones.
  Split s = markovSequences(chain, 3000, 20, 1);
  torch::Tensor counts = torch::zeros({16 * 16}, torch::kInt64);
  counts.index_add_(0, s.images.flatten() * 16 + s.labels.flatten(),
                    torch::ones({s.images.numel()}, torch::kInt64));
  torch::Tensor frequency = counts.view({16, 16}).to(torch::kFloat) /
                            counts.view({16, 16}).sum(1, true).clamp_min(1).to(torch::kFloat);
  EXPECT_LT((frequency - chain).abs().max().item<double>(), 0.05);
}

TEST_F(TextDataTest, FortunesCorpusWindows) {
  const std::string fortunes = "/usr/share/games/fortunes";
  if (!fs::is_directory(fortunes)) GTEST_SKIP() << fortunes << " is not installed";
  plan::Task task = textTask(fortunes, 128);
  Dataset d = loadDataset(task, 1);
  TextCorpus c = readTextCorpus(fortunes);
  const auto size = static_cast<int64_t>(c.bytes.size());
  EXPECT_EQ(d.train.size(), textWindowCount(textTrainBytes(size), 128));
  EXPECT_EQ(d.test.size(), textWindowCount(size - textTrainBytes(size), 128));
  std::cout << "fortunes: " << size << " bytes in " << c.files.size() << " files, "
            << d.train.size() << " training and " << d.test.size() << " test windows of 128\n";
}

} // namespace
} // namespace fiver::runtime
