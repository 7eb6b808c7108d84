// A tiny transformer trained end to end on synthetic Markov text: the loss
// per token falls well below ln(vocab) and the token accuracy is far above
// chance, with the output layer tied to the embedding.
#include "runtime/train/Method.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"
#include "tests/runtime/TextPlans.h"
#include "tests/support/StdlibDefaults.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace fiver::runtime {
namespace {

TEST(SequenceTrainingTest, TinyGptLearnsSyntheticText) {
  plan::Plan p = testing::tinyGptPlan();
  TrainOptions options;
  options.threads = 1;
  options.quiet = true;
  TrainResult r = train(p, options);

  ASSERT_EQ(r.steps, p.training.totalSteps);
  ASSERT_FALSE(r.epochs.empty());
  const double chanceLoss = std::log(16.0);
  const EpochResult& last = r.epochs.back();
  EXPECT_LT(last.loss, chanceLoss - 0.7) << "per-token test loss";
  EXPECT_GT(last.accuracy, 0.3) << "per-token accuracy; chance is 1/16";
  EXPECT_EQ(last.accuracy, r.testAccuracy);
  EXPECT_GT(r.flops, 0);
  std::cout << "tiny_gpt on synthetic_text: test loss " << last.loss << " (ln 16 = " << chanceLoss
            << "), token accuracy " << last.accuracy << ", " << r.trainSeconds << " s\n";
}

TrainOptions quietOptions(int64_t maxSteps = 0) {
  TrainOptions options;
  options.threads = 1;
  options.quiet = true;
  options.maxSteps = maxSteps;
  return options;
}

TEST(SequenceTrainingTest, EvaluationCountsEveryToken) {
  plan::Plan p = testing::tinyGptPlan();
  p.task.testSize = 10;
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  auto [accuracy, loss] = trainer.evaluate();
  torch::NoGradGuard noGrad;
  trainer.model()->eval();
  torch::Tensor logits = trainer.model()->forward(data.test.images).reshape({-1, 16});
  torch::Tensor labels = data.test.labels.reshape({-1});
  EXPECT_NEAR(accuracy, logits.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>(), 1e-9);
  EXPECT_NEAR(loss, torch::nn::functional::cross_entropy(logits, labels).item<double>(), 1e-5);
}

plan::Plan withSeqLengthWarmup(bool truncate) {
  plan::Plan p = testing::tinyGptPlan();
  testing::addMethod(p, "seq_length_warmup",
                     {{"from", plan::Scalar::num(0.25)},
                      {"until", plan::Scalar::num(0.5)},
                      {"multiple", plan::Scalar::num(4)},
                      {"truncate", plan::Scalar::num(truncate ? 1 : 0)}});
  return p;
}

// seq_length_warmup feeds the model shorter (and, split, more) sequences
// first; the runtime trains on them and counts their cost by their length.
TEST(SequenceTrainingTest, ShortSequencesFirstWithSeqLengthWarmup) {
  const plan::Plan plain = testing::tinyGptPlan();
  Dataset data = loadDataset(plain.task, plain.training.seed);
  Trainer full(plain, quietOptions(1), &data);
  const double fullFlops = full.fit().flops;
  EXPECT_EQ(full.model()->lastInputSize, (std::vector<int64_t>{32, 16}));

  // Step 0: length 16 / 4 = 4.
  const plan::Plan truncated = withSeqLengthWarmup(true);
  Trainer cut(truncated, quietOptions(1), &data);
  EXPECT_LT(cut.fit().flops, 0.3 * fullFlops);
  EXPECT_EQ(cut.model()->lastInputSize, (std::vector<int64_t>{32, 4}));
  // Split: every row becomes four rows of four tokens, as many tokens as before.
  const plan::Plan split = withSeqLengthWarmup(false);
  Trainer pieces(split, quietOptions(1), &data);
  EXPECT_LE(pieces.fit().flops, fullFlops);
  EXPECT_EQ(pieces.model()->lastInputSize, (std::vector<int64_t>{128, 4}));

  Trainer warmed(split, quietOptions(), &data);
  const TrainResult r = warmed.fit();
  EXPECT_EQ(warmed.model()->lastInputSize, (std::vector<int64_t>{32, 16}));
  EXPECT_LT(r.epochs.back().loss, std::log(16.0) - 0.7);
}

// Every hook that a text task may use trains the tiny transformer (with a
// frozen layer, so layer_freezing acts); methods that score examples by their
// loss score each sequence by its mean over positions. Not run here: the
// hooks of image-only methods, which the compiler refuses for text tasks
// (E0403, compiler/sema/InputKinds.cpp): those listed, and those whose
// declaration says `inputs images`.
TEST(SequenceTrainingTest, EveryTextHookTrains) {
  const std::set<std::string> notForText = {"augmentation_multiplicity",
                                            "bce_for_mixup",
                                            "channels_last",
                                            "colout",
                                            "cutmix",
                                            "cutout",
                                            "flip_tta",
                                            "mixup",
                                            "progressive_resize"};
  const plan::Plan base = testing::tinyGptPlan({.totalSteps = 4});
  const Dataset data = loadDataset(base.task, base.training.seed);
  for (const std::string& hook : knownHooks()) {
    if (notForText.count(hook) || test::declaredForImagesOnly(hook)) continue;
    SCOPED_TRACE(hook);
    plan::Plan p = base;
    p.ops[2].freezeStep = 2;
    testing::addMethod(p, hook);
    TrainResult r = train(p, quietOptions(), &data);
    ASSERT_EQ(r.steps, 4);
    for (double loss : r.stepLosses)
      EXPECT_TRUE(std::isfinite(loss));
    EXPECT_GT(r.testAccuracy, 0.0);
  }
}

} // namespace
} // namespace fiver::runtime
