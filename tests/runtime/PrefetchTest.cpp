// The prefetching loader serves the same batches, bit for bit, as the loader
// without it, through every seam (sampler swaps, batch-size changes, echoing,
// checkpoints); it never counts a prefetched batch as drawn, rethrows what its
// producer throws, and stops cleanly whenever it is dropped.
#include "runtime/data/BatchLoader.h"
#include "runtime/data/Prefetcher.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;
using plan::Scalar;
using testing::addMethod;
using testing::tinyCnnPlan;

struct Served {
  torch::Tensor images, labels, indices;
  int64_t drawn = 0;
};

// A fixed script of seams, run on one loader: what it serves, batch by batch.
std::vector<Served> runScript(const Split& split, bool prefetch) {
  BatchLoader loader(split, 32, 5);
  loader.setPrefetch(prefetch);
  std::vector<Served> out;
  auto serve = [&](int count) {
    torch::Tensor x, y;
    for (int i = 0; i < count && loader.next(x, y); ++i)
      out.push_back({x.clone(), y.clone(), loader.lastIndices().clone(), loader.position().drawn});
  };
  loader.startEpoch(0);
  serve(3);
  loader.setBatchSize(20); // mid-epoch: batches already prefetched at 32 are dropped
  serve(2);
  loader.setEcho(2, true);
  serve(3);
  loader.setEcho(1, false);
  loader.setBatchSize(20); // unchanged: nothing to redo
  serve(1000);             // the rest of the epoch
  // A sampler swap between epochs (how data_pruning swaps), then one mid-epoch.
  torch::Tensor even = torch::arange(0, split.size(), 2, torch::kInt64);
  loader.setSampler(std::make_unique<SubsetSampler>(even, 9));
  loader.startEpoch(1);
  serve(2);
  auto started = std::make_unique<ShuffleSampler>(split.size(), 11);
  started->startEpoch(1);
  loader.setSampler(std::move(started));
  serve(2);
  loader.setBatchSize(48);
  serve(1000);
  loader.startEpoch(2);
  serve(2);
  return out;
}

void expectSameBatches(const std::vector<Served>& a, const std::vector<Served>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].images, b[i].images)) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].labels, b[i].labels)) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].indices, b[i].indices)) << "batch " << i;
    EXPECT_EQ(a[i].drawn, b[i].drawn) << "batch " << i;
  }
}

TEST(PrefetchTest, ServesTheSameBatchesThroughEverySeam) {
  plan::Plan p = tinyCnnPlan({.trainSize = 300});
  Dataset data = loadDataset(p.task, 0);
  std::vector<Served> plain = runScript(data.train, false);
  std::vector<Served> prefetched = runScript(data.train, true);
  EXPECT_GT(plain.size(), 20u);
  expectSameBatches(plain, prefetched);
}

TEST(PrefetchTest, APositionCountsOnlyServedBatchesAndRestoresExactly) {
  plan::Plan p = tinyCnnPlan({.trainSize = 300});
  Dataset data = loadDataset(p.task, 0);
  BatchLoader whole(data.train, 32, 3);
  whole.setPrefetch(true);
  whole.startEpoch(4);
  torch::Tensor x, y;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(whole.next(x, y));
  BatchLoader::Position at = whole.position();
  EXPECT_EQ(at.drawn, 96); // the producer is ahead; what was served is 3 x 32
  BatchLoader resumed(data.train, 32, 3);
  resumed.setPrefetch(true);
  resumed.startEpoch(4);
  resumed.restore(at);
  torch::Tensor rx, ry;
  int batches = 0;
  while (whole.next(x, y)) {
    ASSERT_TRUE(resumed.next(rx, ry));
    EXPECT_TRUE(torch::equal(x, rx));
    EXPECT_TRUE(torch::equal(whole.lastIndices(), resumed.lastIndices()));
    ++batches;
  }
  EXPECT_FALSE(resumed.next(rx, ry));
  EXPECT_FALSE(resumed.next(rx, ry)); // the end of the epoch, again
  EXPECT_EQ(batches, 7);              // ceil(300 / 32) - 3
}

// A sampler that fails on its `failAt`-th draw.
class FailingSampler : public Sampler {
public:
  explicit FailingSampler(int failAt) : failAt_(failAt) {}
  void startEpoch(int64_t) override { draws_ = 0; }
  torch::Tensor next(int64_t count) override {
    if (++draws_ == failAt_) throw std::runtime_error("the sampler broke");
    return torch::arange(count, torch::kInt64);
  }
  bool drawsInSequence() const override { return true; }

private:
  int failAt_;
  int draws_ = 0;
};

TEST(PrefetchTest, AProducerErrorIsRethrownOnTheConsumersNext) {
  plan::Plan p = tinyCnnPlan({.trainSize = 300});
  Dataset data = loadDataset(p.task, 0);
  BatchLoader loader(data.train, 16, 0);
  loader.setPrefetch(true);
  loader.setSampler(std::make_unique<FailingSampler>(3));
  loader.startEpoch(0);
  torch::Tensor x, y;
  EXPECT_TRUE(loader.next(x, y));
  EXPECT_TRUE(loader.next(x, y));
  EXPECT_THROW(loader.next(x, y), std::runtime_error);
  EXPECT_THROW(loader.next(x, y), std::runtime_error);
  // A new epoch starts afresh.
  loader.startEpoch(1);
  EXPECT_TRUE(loader.next(x, y));
}

TEST(PrefetchTest, DroppingALoaderWithAFullQueueDoesNotHang) {
  plan::Plan p = tinyCnnPlan({.trainSize = 300});
  Dataset data = loadDataset(p.task, 0);
  for (int served = 0; served < 3; ++served) {
    BatchLoader loader(data.train, 8, 0);
    loader.setPrefetch(true);
    loader.startEpoch(0);
    torch::Tensor x, y;
    for (int i = 0; i < served; ++i)
      loader.next(x, y);
  } // destroyed with the producer ahead, blocked on the full queue
  SUCCEED();
}

TEST(PrefetchTest, StopReportsBatchesDrawnAhead) {
  BatchPrefetcher prefetcher(2);
  int64_t made = 0;
  prefetcher.start([&] { return LoadedBatch{++made < 100 ? 4 : 0, {}, {}, {}}; });
  EXPECT_EQ(prefetcher.take().drawn, 4);
  EXPECT_TRUE(prefetcher.stop()); // the queue held one more
  EXPECT_FALSE(prefetcher.running());
  prefetcher.start([] { return LoadedBatch{}; }); // an empty epoch
  EXPECT_EQ(prefetcher.take().drawn, 0);
  EXPECT_EQ(prefetcher.take().drawn, 0);
  EXPECT_FALSE(prefetcher.stop());
}

fs::path freshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("fiver-prefetch-" + name + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

std::vector<torch::Tensor> finalState(const plan::Plan& p, const TrainOptions& o) {
  Trainer t(p, o);
  t.fit();
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& s : t.model()->stateTensors())
    out.push_back(s.clone());
  return out;
}

void expectSameState(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "state tensor " << i;
}

// Pruning swaps the sampler, batch_size_warmup resizes batches each step and
// echoing serves each load twice: the weights match with prefetch on and off,
// and a run stopped and resumed with prefetch ends where they do.
TEST(PrefetchTest, TrainingIsBitIdenticalWithPrefetchOnAndOffAndAcrossResume) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 40});
  addMethod(p, "data_pruning",
            {{"keep", Scalar::num(0.75)},
             {"score_at", Scalar::num(2)},
             {"score_seeds", Scalar::num(1)},
             {"score", Scalar::str("el2n")}});
  addMethod(p, "batch_size_warmup",
            {{"from", Scalar::num(0.25)},
             {"until", Scalar::num(0.5)},
             {"multiple", Scalar::num(4)},
             {"scale_lr", Scalar::num(1)}});
  addMethod(p, "data_echoing", {{"factor", Scalar::num(2)}, {"stage", Scalar::str("example")}});
  TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  o.prefetch = false;
  std::vector<torch::Tensor> off = finalState(p, o);
  o.prefetch = true;
  std::vector<torch::Tensor> on = finalState(p, o);
  expectSameState(off, on);

  fs::path dir = freshDir("resume");
  o.outDir = dir.string();
  o.resume = true;
  for (int64_t stop : {7, 23}) {
    o.maxSteps = stop;
    Trainer(p, o).fit();
  }
  o.maxSteps = 0;
  expectSameState(finalState(p, o), off);
  fs::remove_all(dir);
}

} // namespace
} // namespace fiver::runtime
