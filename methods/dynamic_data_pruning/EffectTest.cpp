// dynamic_data_pruning's effect: the composition matrix's probe and recipe
// line, and the method's own tests (milliseconds each) of how an epoch's
// subset is chosen: keep of every class, anew each epoch, the highest
// losses (never-seen examples first) with score: loss.
#include "methods/dynamic_data_pruning/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

namespace fiver::composition {
namespace {

// Each epoch draws at most ceil(keep x n_c) examples of each class c (one
// group for sequences), and the epochs draw different subsets: all of them
// together hold more distinct examples than any one.
class EpochSubsets : public Probe {
public:
  explicit EpochSubsets(int64_t mostKept) : mostKept_(mostKept) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData || !s.loader) return;
    if (s.epoch != epoch_) epochDrawn_.clear();
    epoch_ = s.epoch;
    const torch::Tensor indices = s.loader->lastIndices().to(torch::kCPU, torch::kInt64);
    for (int64_t i = 0; i < indices.numel(); ++i) {
      epochDrawn_.insert(indices[i].item<int64_t>());
      allDrawn_.insert(indices[i].item<int64_t>());
    }
    largestEpoch_ = std::max(largestEpoch_, static_cast<int64_t>(epochDrawn_.size()));
    expect(static_cast<int64_t>(epochDrawn_.size()) <= mostKept_,
           "epoch " + std::to_string(s.epoch) + " drew " + std::to_string(epochDrawn_.size()) +
               " distinct examples, more than the " + std::to_string(mostKept_) + " kept");
  }
  void finish(runtime::Trainer&) override {
    expect(epoch_ >= 1, "the run never started a second epoch");
    expect(static_cast<int64_t>(allDrawn_.size()) > largestEpoch_,
           "every epoch drew from the same subset");
  }

private:
  int64_t mostKept_;
  int64_t epoch_ = -1, largestEpoch_ = 0;
  std::set<int64_t> epochDrawn_, allDrawn_;
};

// keep 10% of the matrix's 64 examples: an epoch is one batch of about 8,
// so its three steps span several epochs even where a method serves fewer
// examples a step (echoes, repeats, a warming batch size); score: loss,
// whose first epochs draw the never-seen examples.
const EffectRegistrar kEffect(MethodUnderTest{
    "dynamic_data_pruning",
    "remove training_data dynamic learned dynamic_data_pruning(keep: 10%, score: loss)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan& p) -> std::unique_ptr<Probe> {
      const double keep = methodArgument(p, "dynamic_data_pruning", "keep");
      const bool sequences = p.task.inputShape.size() == 1;
      return std::make_unique<EpochSubsets>(
          static_cast<int64_t>(std::ceil(keep * static_cast<double>(p.task.trainSize))) +
          (sequences ? 0 : p.task.classes));
    }});

// --- the method's own tests ---

const torch::Tensor kLabels = torch::arange(40, torch::kInt64).remainder(4); // 10 of each class

int64_t countOf(const torch::Tensor& kept, int64_t label) {
  return kLabels.index_select(0, kept).eq(label).sum().item<int64_t>();
}

TEST(DynamicDataPruningEffect, RandomKeepsTheFractionOfEveryClassAnewEachEpoch) {
  const torch::Tensor all = torch::arange(40, torch::kInt64);
  const torch::Tensor first = runtime::randomEpochSubset(all, kLabels, 0.3, 7, 0);
  const torch::Tensor second = runtime::randomEpochSubset(all, kLabels, 0.3, 7, 1);
  ASSERT_EQ(first.size(0), 12);
  for (int64_t c = 0; c < 4; ++c)
    EXPECT_EQ(countOf(first, c), 3) << "class " << c;
  EXPECT_FALSE(torch::equal(first, second));
  EXPECT_TRUE(torch::equal(first, runtime::randomEpochSubset(all, kLabels, 0.3, 7, 0)));
}

TEST(DynamicDataPruningEffect, RandomChoosesAmongTheCandidatesOnly) {
  const torch::Tensor candidates = torch::arange(0, 40, 2, torch::kInt64); // classes 0 and 2
  const torch::Tensor kept =
      runtime::randomEpochSubset(candidates, kLabels.index_select(0, candidates), 0.5, 3, 0);
  EXPECT_EQ(kept.size(0), 10);
  EXPECT_TRUE(kept.remainder(2).eq(0).all().item<bool>());
}

TEST(DynamicDataPruningEffect, LossKeepsTheUnseenFirstThenTheHighestLosses) {
  const torch::Tensor all = torch::arange(40, torch::kInt64);
  torch::Tensor loss = all.to(torch::kFloat32) / 40; // higher index, higher loss
  const float unseen = std::numeric_limits<float>::infinity();
  loss[0] = unseen; // class 0, the lowest index: kept only because it is unseen
  const torch::Tensor kept = runtime::hardestEpochSubset(all, kLabels, loss, 0.2, 5, 0);
  // Two of each class: class 0 keeps its unseen example and its hardest seen one.
  const torch::Tensor expected = torch::tensor({0, 33, 34, 35, 36, 37, 38, 39}, torch::kInt64);
  EXPECT_TRUE(torch::equal(kept, expected)) << kept;
}

} // namespace
} // namespace fiver::composition
