// seq_length_warmup's schedule and its two ways of shortening a token batch:
// the lengths grow from `from` x T to T, stay multiples of `multiple`, and
// every kept token keeps its own next-token label. And the per-sequence loss
// that loss-ranking methods use on text tasks.
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
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Loss.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

TEST(SeqLengthWarmupTest, LengthGrowsLinearlyInMultiplesToTheFullLength) {
  // T = 128 from 1/4 over 100 steps, multiples of 16: 32 at step 0, 80 halfway.
  EXPECT_EQ(warmupSequenceLength(128, 0.25, 100, 16, 0), 32);
  EXPECT_EQ(warmupSequenceLength(128, 0.25, 100, 16, 50), 80);
  EXPECT_EQ(warmupSequenceLength(128, 0.25, 100, 16, 99), 112);
  EXPECT_EQ(warmupSequenceLength(128, 0.25, 100, 16, 100), 128);
  EXPECT_EQ(warmupSequenceLength(128, 0.25, 100, 16, 1000), 128);
  int64_t previous = 0;
  for (int64_t step = 0; step <= 100; ++step) {
    const int64_t length = warmupSequenceLength(128, 0.25, 100, 16, step);
    EXPECT_EQ(length % 16, 0) << step;
    EXPECT_GE(length, previous) << step;
    previous = length;
  }
  // Never below one multiple, never above T, whatever `from` and `multiple` say.
  EXPECT_EQ(warmupSequenceLength(128, 0.01, 100, 16, 0), 16);
  EXPECT_EQ(warmupSequenceLength(12, 0.1, 100, 64, 0), 12);
  EXPECT_EQ(warmupSequenceLength(128, 0.5, 0, 8, 0), 128); // no ramp: full length at once
}

TEST(SeqLengthWarmupTest, TruncationKeepsTheFirstTokensAndTheirLabels) {
  torch::Tensor tokens = torch::arange(2 * 8, torch::kInt64).view({2, 8});
  torch::Tensor labels = tokens + 1;
  shortenSequences(tokens, labels, 4, /*truncate=*/true);
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_TRUE(tokens.equal(torch::tensor({0, 1, 2, 3, 8, 9, 10, 11}, torch::kInt64).view({2, 4})));
  EXPECT_TRUE(labels.equal(tokens + 1));
}

TEST(SeqLengthWarmupTest, SplittingKeepsEveryWholePieceAsARow) {
  torch::Tensor tokens = torch::arange(2 * 10, torch::kInt64).view({2, 10});
  torch::Tensor labels = tokens + 1;
  shortenSequences(tokens, labels, 4, /*truncate=*/false);
  // Two whole pieces of 4 per row: 4 rows; the last 2 tokens of each row go.
  ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_TRUE(tokens[1].equal(torch::tensor({4, 5, 6, 7}, torch::kInt64)));
  EXPECT_TRUE(tokens[2].equal(torch::tensor({10, 11, 12, 13}, torch::kInt64)));
  EXPECT_TRUE(labels.equal(tokens + 1));
}

TEST(SeqLengthWarmupTest, FullLengthLeavesTheBatchAlone) {
  torch::Tensor tokens = torch::arange(16, torch::kInt64).view({2, 8});
  torch::Tensor labels = tokens + 1;
  const void* before = tokens.data_ptr();
  shortenSequences(tokens, labels, 8, true);
  EXPECT_EQ(tokens.data_ptr(), before);
  EXPECT_EQ(tokens.sizes(), (std::vector<int64_t>{2, 8}));
}

TEST(SeqLengthWarmupTest, ImageBatchesAreRefused) {
  torch::Tensor images = torch::zeros({2, 1, 4, 4});
  torch::Tensor labels = torch::zeros({2}, torch::kInt64);
  EXPECT_THROW(shortenSequences(images, labels, 2, true), std::runtime_error);
}

// Methods that rank examples by loss (selective_backprop, data_pruning,
// curriculum) rank a sequence by its mean loss over positions.
TEST(SequenceLossTest, PerExampleLossIsTheMeanOverPositions) {
  torch::manual_seed(0);
  torch::Tensor logits = torch::randn({3, 5, 7});
  torch::Tensor labels = torch::randint(7, {3, 5}, torch::kInt64);
  torch::Tensor perExample = crossEntropyPerExample(logits, labels);
  ASSERT_EQ(perExample.sizes(), (std::vector<int64_t>{3}));
  for (int64_t b = 0; b < 3; ++b)
    EXPECT_NEAR(perExample[b].item<double>(),
                torch::nn::functional::cross_entropy(logits[b], labels[b]).item<double>(), 1e-5);
  EXPECT_NEAR(meanCrossEntropy(logits, labels).item<double>(), perExample.mean().item<double>(),
              1e-5);
  // Class logits [B, V] keep one loss per example.
  EXPECT_EQ(crossEntropyPerExample(logits[0], labels[0]).sizes(), (std::vector<int64_t>{5}));
}

} // namespace
} // namespace fiver::runtime
