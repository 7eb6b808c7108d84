// Effect tests for the data-side methods: each checks the change its method
// card promises (smaller images, zeroed patches, a shorter epoch, easy-first
// batches, repeated examples, fewer loads, fewer samples in backward, a
// different objective, growing batches), so a method that did nothing fails.
#include "methods/augmentation_multiplicity/Hook.h"
#include "methods/batch_size_warmup/Hook.h"
#include "methods/bce_for_mixup/Hook.h"
#include "methods/colout/Hook.h"
#include "methods/curriculum/Hook.h"
#include "methods/cutout/Hook.h"
#include "methods/data_echoing/Hook.h"
#include "methods/data_pruning/Hook.h"
#include "methods/flip_tta/Hook.h"
#include "methods/selective_backprop/Hook.h"
#include "methods/seq_length_warmup/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/data/Dataset.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <set>

namespace fiver::runtime {
namespace {

using plan::Scalar;
using testing::addMethod;
using testing::tinyCnnPlan;

TrainOptions quiet(int64_t maxSteps = 0) {
  TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.maxSteps = maxSteps;
  o.evalEachEpoch = false;
  return o;
}

template <typename T> T* findMethod(Trainer& trainer) {
  for (const auto& m : trainer.methods())
    if (auto* found = dynamic_cast<T*>(m.get())) return found;
  return nullptr;
}

std::vector<int64_t> toVector(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kCPU, torch::kInt64).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

int64_t batchOfLastForward(Trainer& trainer) {
  return trainer.model()->lastInputSize.at(0);
}

// --- colout ---

TEST(ColoutTest, RemovesRowsAndColumnsKeepingTheirOrder) {
  // Pixel value = 100 * row + column, so the kept rows and columns can be read back.
  torch::Tensor grid = (torch::arange(28).view({28, 1}) * 100 + torch::arange(28).view({1, 28}))
                           .to(torch::kFloat32)
                           .expand({4, 1, 28, 28})
                           .contiguous();
  torch::Tensor out = coloutBatch(grid, 0.15, 0.25, /*sameForBatch=*/true);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{4, 1, 24, 21}));
  torch::Tensor rows = out[0][0].select(1, 0).div(100).floor();
  EXPECT_TRUE(rows.slice(0, 1).gt(rows.slice(0, 0, -1)).all().item<bool>()); // increasing
  EXPECT_TRUE(torch::equal(out[0], out[3])); // the whole batch loses the same lines

  torch::Tensor each = coloutBatch(grid, 0.3, 0.3, /*sameForBatch=*/false);
  EXPECT_EQ(each.sizes(), (std::vector<int64_t>{4, 1, 20, 20}));
  EXPECT_FALSE(torch::equal(each[0], each[1])); // drawn per image
}

TEST(ColoutTest, TheNetworkTrainsOnSmallerImages) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 2});
  addMethod(p, "colout", {{"p_row", Scalar::num(0.25)}, {"p_col", Scalar::num(0.5)}});
  Trainer trainer(p, quiet());
  trainer.fit();
  EXPECT_EQ(trainer.model()->lastInputSize, (std::vector<int64_t>{32, 1, 21, 14}));
}

// --- cutout ---

TEST(CutoutTest, ZeroesClippedSquaresOfTheGivenSide) {
  EXPECT_EQ(cutoutSide(28, 28, 0.5), 14);
  torch::manual_seed(3);
  torch::Tensor mask = cutoutMask(64, 28, 28, 1, 14, torch::TensorOptions(torch::kFloat32));
  torch::Tensor zeros = (mask == 0).sum({1, 2, 3});
  // The centre is inside the image: at least a 7 x 7 quarter, at most 14 x 14.
  EXPECT_GE(zeros.min().item<int64_t>(), 49);
  EXPECT_LE(zeros.max().item<int64_t>(), 196);
  EXPECT_TRUE(zeros.eq(196).any().item<bool>());

  torch::Tensor three = cutoutMask(64, 28, 28, 3, 6, torch::TensorOptions(torch::kFloat32));
  torch::Tensor zeros3 = (three == 0).sum({1, 2, 3});
  EXPECT_GE(zeros3.min().item<int64_t>(), 9);
  EXPECT_LE(zeros3.max().item<int64_t>(), 3 * 36);
  EXPECT_TRUE(zeros3.gt(36).any().item<bool>()); // more than one hole per image
}

TEST(CutoutTest, MethodZeroesPixelsOfTheTrainingBatch) {
  plan::Plan p = tinyCnnPlan();
  addMethod(p, "cutout", {{"holes", Scalar::num(2)}, {"length", Scalar::num(0.25)}});
  Trainer trainer(p, quiet());
  TrainState state = trainer.state();
  state.images = torch::ones({8, 1, 28, 28});
  trainer.methods().at(0)->apply(Event::AfterData, state);
  torch::Tensor zeros = (state.images == 0).sum({1, 2, 3});
  EXPECT_GT(zeros.min().item<int64_t>(), 0);
  EXPECT_LE(zeros.max().item<int64_t>(), 2 * 7 * 7);
}

// --- data_pruning ---

TEST(DataPruningTest, KeepsTheHighestScoresAndShortensTheEpoch) {
  // 512 examples, batches of 32: 16 steps per epoch, 8 once half is pruned.
  plan::Plan p = tinyCnnPlan({.totalSteps = 24});
  Dataset data = loadDataset(p.task, p.training.seed);
  TrainResult plain = Trainer(p, quiet(), &data).fit();
  EXPECT_EQ(plain.epochs.size(), 2u);

  addMethod(p, "data_pruning",
            {{"keep", Scalar::num(0.5)},
             {"score_at", Scalar::num(3)},
             {"score_seeds", Scalar::num(2)},
             {"score", Scalar::str("el2n")}});
  Trainer trainer(p, quiet(), &data);
  TrainResult pruned = trainer.fit();
  EXPECT_EQ(pruned.steps, 24);
  EXPECT_EQ(pruned.epochs.size(), 3u);

  DataPruning* pruning = findMethod<DataPruning>(trainer);
  ASSERT_NE(pruning, nullptr);
  // Half of each class, rounded up: 256 plus at most one per class.
  EXPECT_GE(pruning->kept().size(0), 256);
  EXPECT_LE(pruning->kept().size(0), 266);
  torch::Tensor isKept = torch::zeros({512}, torch::kBool).index_fill_(0, pruning->kept(), true);
  for (int64_t c = 0; c < 10; ++c) { // within a class, every kept example scores higher
    torch::Tensor inClass = data.train.labels.eq(c);
    EXPECT_GE(
        pruning->scores().index({isKept.logical_and(inClass)}).min().item<float>(),
        pruning->scores().index({isKept.logical_not().logical_and(inClass)}).max().item<float>());
  }
  // The batches come from the kept examples only.
  EXPECT_TRUE(isKept.index_select(0, trainer.state().loader->lastIndices()).all().item<bool>());
}

TEST(DataPruningTest, KeptExamplesAndScores) {
  torch::Tensor scores = torch::tensor({0.5f, 0.1f, 0.9f, 0.3f});
  torch::Tensor labels = torch::tensor({0, 0, 1, 1}, torch::kInt64);
  EXPECT_EQ(toVector(keptExamples(scores, labels, 0.5, true)), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(toVector(keptExamples(scores, labels, 0.5, false)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(toVector(keptExamples(scores, labels, 0.01, true)), (std::vector<int64_t>{0, 2}));
  // Per class: the lone example of class 1 stays although it scores lowest.
  torch::Tensor skewed = torch::tensor({0.9f, 0.8f, 0.7f, 0.1f});
  torch::Tensor oneRare = torch::tensor({0, 0, 0, 1}, torch::kInt64);
  EXPECT_EQ(toVector(keptExamples(skewed, oneRare, 0.5, true)), (std::vector<int64_t>{0, 1, 3}));

  plan::Plan p = tinyCnnPlan();
  Dataset data = loadDataset(p.task, p.training.seed);
  torch::Tensor el2n = scoreExamples(p, data.train, {"el2n", 0, 1}, 1);
  EXPECT_EQ(el2n.size(0), 512);
  EXPECT_GT(el2n.min().item<float>(), 0);
  EXPECT_LE(el2n.max().item<float>(), std::sqrt(2.0f) + 1e-5f);
  torch::manual_seed(5);
  torch::Tensor a = scoreExamples(p, data.train, {"loss", 2, 1}, 1);
  torch::manual_seed(5);
  torch::Tensor b = scoreExamples(p, data.train, {"loss", 2, 1}, 1);
  EXPECT_TRUE(torch::equal(a, b)); // seeded
  EXPECT_THROW(DataPruning(0.5, {"grand", 0, 1}, true), std::runtime_error);
}

// --- curriculum ---

TEST(CurriculumTest, PacingGrowsFromStartToTheWholeSet) {
  EXPECT_DOUBLE_EQ(curriculumFraction("linear", 0.2, 10, 0), 0.2);
  EXPECT_DOUBLE_EQ(curriculumFraction("linear", 0.2, 10, 5), 0.6);
  EXPECT_DOUBLE_EQ(curriculumFraction("linear", 0.2, 10, 10), 1.0);
  EXPECT_DOUBLE_EQ(curriculumFraction("root", 0.0, 100, 25), 0.5);
  EXPECT_DOUBLE_EQ(curriculumFraction("quad", 0.0, 100, 50), 0.25);
  EXPECT_NEAR(curriculumFraction("exp", 0.0, 100, 50), std::expm1(5.0) / std::expm1(10.0), 1e-12);
  // step from 0.2: 0.2, 0.4, 0.8 over three equal intervals, then the whole set.
  EXPECT_DOUBLE_EQ(curriculumFraction("step", 0.2, 99, 32), 0.2);
  EXPECT_DOUBLE_EQ(curriculumFraction("step", 0.2, 99, 33), 0.4);
  EXPECT_DOUBLE_EQ(curriculumFraction("step", 0.2, 99, 98), 0.8);
  EXPECT_DOUBLE_EQ(curriculumFraction("step", 0.2, 99, 99), 1.0);
  EXPECT_THROW(checkPacingName("cosine"), std::runtime_error);
}

TEST(CurriculumTest, EarlyBatchesComeFromTheEasiestExamples) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "curriculum",
            {{"start", Scalar::num(0.25)},
             {"until", Scalar::num(1.0)},
             {"score_at", Scalar::num(3)},
             {"pacing", Scalar::str("linear")}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quiet(2), &data);
  trainer.fit();
  Curriculum* curriculum = findMethod<Curriculum>(trainer);
  ASSERT_NE(curriculum, nullptr);
  // Step 1 draws from the easiest ceil((0.25 + 0.75 / 20) x 512) = 148 examples.
  torch::Tensor easiest = curriculum->easiestFirst().narrow(0, 0, 148);
  torch::Tensor inPool = torch::zeros({512}, torch::kBool).index_fill_(0, easiest, true);
  torch::Tensor drawn = trainer.state().loader->lastIndices();
  EXPECT_EQ(drawn.size(0), 32);
  EXPECT_TRUE(inPool.index_select(0, drawn).all().item<bool>());

  // By the end the pool is the whole set and the order is the ordinary one.
  Trainer full(p, quiet(), &data);
  full.fit();
  EXPECT_EQ(findMethod<Curriculum>(full)->pool(), 512);
}

TEST(CurriculumTest, AfterPruningOrdersTheKeptExamples) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "data_pruning", {{"keep", Scalar::num(0.5)}, {"score_seeds", Scalar::num(1)}});
  addMethod(p, "curriculum", {{"start", Scalar::num(0.25)}, {"until", Scalar::num(1.0)}});
  Trainer trainer(p, quiet(2));
  trainer.fit();
  torch::Tensor kept = findMethod<DataPruning>(trainer)->kept();
  Curriculum* curriculum = findMethod<Curriculum>(trainer);
  ASSERT_EQ(curriculum->easiestFirst().size(0), kept.size(0));
  torch::Tensor isKept = torch::zeros({512}, torch::kBool).index_fill_(0, kept, true);
  EXPECT_TRUE(isKept.index_select(0, curriculum->easiestFirst()).all().item<bool>());
  EXPECT_TRUE(isKept.index_select(0, trainer.state().loader->lastIndices()).all().item<bool>());
}

// --- augmentation_multiplicity ---

TEST(AugmentationMultiplicityTest, EachExampleAppearsCopiesTimesAugmentedApart) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  p.augment = {{"crop", {{"padding", Scalar::num(3)}}}};
  addMethod(p, "augmentation_multiplicity", {{"copies", Scalar::num(4)}});
  Trainer trainer(p, quiet(1));
  trainer.fit();
  std::vector<int64_t> drawn = toVector(trainer.state().loader->lastIndices());
  ASSERT_EQ(drawn.size(), 32u);
  EXPECT_EQ(std::set<int64_t>(drawn.begin(), drawn.end()).size(), 8u);
  for (size_t i = 0; i < drawn.size(); ++i)
    EXPECT_EQ(drawn[i], drawn[i / 4 * 4]);
  EXPECT_EQ(batchOfLastForward(trainer), 32);
  // The four copies of an example were cropped differently.
  torch::Tensor images = trainer.state().images.reshape({8, 4, -1});
  EXPECT_FALSE(torch::equal(images.select(1, 0), images.select(1, 1)));

  plan::Plan grow = tinyCnnPlan({.totalSteps = 4});
  addMethod(grow, "augmentation_multiplicity",
            {{"copies", Scalar::num(2)}, {"keep_batch_size", Scalar::num(0)}});
  Trainer grown(grow, quiet(1));
  grown.fit();
  EXPECT_EQ(batchOfLastForward(grown), 64);
  std::vector<int64_t> all = toVector(grown.state().loader->lastIndices());
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 32u);
}

// --- data_echoing ---

TEST(DataEchoingTest, EachLoadServesFactorSteps) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 12});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer plain(p, quiet(), &data);
  plain.fit();
  EXPECT_EQ(plain.state().loader->loads(), 12);

  for (const char* stage : {"batch", "example"}) {
    plan::Plan echo = p;
    addMethod(echo, "data_echoing", {{"factor", Scalar::num(3)}, {"stage", Scalar::str(stage)}});
    Trainer trainer(echo, quiet(), &data);
    TrainResult r = trainer.fit();
    EXPECT_EQ(r.steps, 12) << stage;
    EXPECT_EQ(trainer.state().loader->loads(), 4) << stage;
  }
}

TEST(DataEchoingTest, ExampleEchoesMixTheCopiesOfOneLoad) {
  plan::Plan p = tinyCnnPlan();
  Dataset data = loadDataset(p.task, p.training.seed);
  BatchLoader loader(data.train, 8, 1);
  loader.setEcho(3, /*shuffleExamples=*/true);
  loader.startEpoch(0);
  torch::Tensor x, y;
  std::multiset<int64_t> served;
  std::vector<std::vector<int64_t>> batches;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(loader.next(x, y));
    batches.push_back(toVector(loader.lastIndices()));
    served.insert(batches.back().begin(), batches.back().end());
  }
  EXPECT_EQ(loader.loads(), 1);
  EXPECT_EQ(served.size(), 24u);
  for (int64_t i : served)
    EXPECT_EQ(served.count(i), 3u); // every example of the load three times
  EXPECT_NE(batches[0], batches[1]);
  ASSERT_TRUE(loader.next(x, y));
  EXPECT_EQ(loader.loads(), 2);
}

TEST(DataEchoingTest, BatchEchoesRepeatTheLoadAsCopies) {
  plan::Plan p = tinyCnnPlan();
  Dataset data = loadDataset(p.task, p.training.seed);
  BatchLoader loader(data.train, 8, 1);
  loader.setEcho(2, /*shuffleExamples=*/false);
  loader.startEpoch(0);
  torch::Tensor x1, y1, x2, y2;
  ASSERT_TRUE(loader.next(x1, y1));
  const std::vector<int64_t> first = toVector(loader.lastIndices());
  torch::Tensor original = x1.clone();
  x1.zero_(); // a method editing its batch in place
  ASSERT_TRUE(loader.next(x2, y2));
  EXPECT_EQ(toVector(loader.lastIndices()), first);
  EXPECT_TRUE(torch::equal(x2, original));
  EXPECT_TRUE(torch::equal(y1, y2));
  EXPECT_EQ(loader.loads(), 1);
}

// --- selective_backprop ---

TEST(SelectiveBackpropTest, BackwardSeesOnlyTheHighestLosses) {
  EXPECT_EQ(toVector(highestLosses(torch::tensor({0.1f, 5.0f, 0.3f, 2.0f}), 0.5)),
            (std::vector<int64_t>{1, 3}));

  plan::Plan p = tinyCnnPlan({.totalSteps = 10});
  addMethod(p, "selective_backprop",
            {{"keep", Scalar::num(0.25)},
             {"start", Scalar::num(0)},
             {"end", Scalar::num(1)},
             {"interrupt", Scalar::num(0)}});
  Trainer trainer(p, quiet(2));
  trainer.fit();
  EXPECT_EQ(batchOfLastForward(trainer), 8); // the training forward and backward: 8 of 32
  EXPECT_EQ(trainer.state().labels.size(0), 8);
  EXPECT_EQ(findMethod<SelectiveBackprop>(trainer)->selectedSteps(), 2);

  // Outside [start, end) and on every (interrupt + 1)-th step the batch is whole.
  SelectiveBackprop window(0.5, 2, 6, 2);
  TrainState& s = trainer.state();
  std::vector<int64_t> selected;
  for (s.step = 0; s.step < 8; ++s.step)
    if (window.match(Event::AfterData, s)) selected.push_back(s.step);
  EXPECT_EQ(selected, (std::vector<int64_t>{3, 4}));
}

// --- bce_for_mixup ---

TEST(BceForMixupTest, LossIsPerClassBinaryCrossEntropy) {
  torch::Tensor output = torch::tensor({{2.0f, -1.0f, 0.5f}});
  torch::Tensor targets = torch::tensor({{0.7f, 0.3f, 0.0f}});
  auto bce = [](float x, float t) {
    return -(t * std::log(1 / (1 + std::exp(-x))) + (1 - t) * std::log(1 - 1 / (1 + std::exp(-x))));
  };
  // Summed over the classes (the scale of cross-entropy), averaged over the batch.
  const float expected = bce(2, 0.7f) + bce(-1, 0.3f) + bce(0.5f, 0);
  EXPECT_NEAR(binaryCrossEntropyLoss(output, targets, 0, 0).item<float>(), expected, 1e-5);
  // Threshold 0.2 binarizes to {1, 1, 0}; smoothing moves targets towards 1/3.
  const float binarized = bce(2, 1) + bce(-1, 1) + bce(0.5f, 0);
  EXPECT_NEAR(binaryCrossEntropyLoss(output, targets, 0, 0.2).item<float>(), binarized, 1e-5);
  const float smoothed = bce(2, 0.7f * 0.7f + 0.1f) + bce(-1, 0.3f * 0.7f + 0.1f) + bce(0.5f, 0.1f);
  EXPECT_NEAR(binaryCrossEntropyLoss(output, targets, 0.3, 0).item<float>(), smoothed, 1e-5);
}

TEST(BceForMixupTest, TrainingMinimizesTheBinaryObjective) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 3});
  addMethod(p, "mixup", {{"alpha", Scalar::num(0.4)}});
  addMethod(p, "bce_for_mixup");
  Trainer trainer(p, quiet());
  TrainResult r = trainer.fit();
  const TrainState& s = trainer.state();
  ASSERT_TRUE(s.targets.defined()); // mixup's soft targets
  torch::Tensor expected = binaryCrossEntropyLoss(s.output, s.targets, 0, 0);
  EXPECT_NEAR(r.stepLosses.back(), expected.item<double>(), 1e-5);
  // Ten sigmoids near 0.5 cost about 10 log 2 = 6.9; softmax cross-entropy would be log 10 = 2.3.
  EXPECT_GT(r.stepLosses.front(), 4.0);
}

// --- batch_size_warmup ---

TEST(BatchSizeWarmupTest, BatchGrowsToThePlannedSize) {
  EXPECT_EQ(warmupBatchSize(64, 0.125, 10, 8, 0), 8);
  EXPECT_EQ(warmupBatchSize(64, 0.125, 10, 8, 5), 40); // 36 rounds to 40
  EXPECT_EQ(warmupBatchSize(64, 0.125, 10, 8, 10), 64);
  EXPECT_EQ(warmupBatchSize(64, 0.01, 10, 8, 0), 8); // never below one multiple

  plan::Plan p = tinyCnnPlan({.totalSteps = 20});
  addMethod(p, "batch_size_warmup",
            {{"from", Scalar::num(0.25)},
             {"until", Scalar::num(0.5)},
             {"multiple", Scalar::num(4)},
             {"scale_lr", Scalar::num(1)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer first(p, quiet(1), &data);
  first.fit();
  EXPECT_EQ(batchOfLastForward(first), 8);
  // Linear scaling: 8 / 32 of the constant 0.05.
  EXPECT_NEAR(first.state().optimizer.param_groups()[0].options().get_lr(), 0.0125, 1e-9);

  Trainer middle(p, quiet(6), &data);
  middle.fit();
  EXPECT_EQ(batchOfLastForward(middle), 20); // step 5: 32 x (0.25 + 0.75 x 0.5) = 20

  Trainer after(p, quiet(12), &data);
  after.fit();
  EXPECT_EQ(batchOfLastForward(after), 32);
}

} // namespace
} // namespace fiver::runtime
