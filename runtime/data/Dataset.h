// A dataset decoded once into in-memory tensors: float images normalized with
// the training split's mean and std and int64 labels, or, for next-token
// tasks (`text`, `synthetic_text`), int64 token ids and the int64 next token
// of every position (runtime/data/TextSplits.h), not normalized.
#pragma once

#include "compiler/plan/Plan.h"

#include <torch/torch.h>

namespace fiver::runtime {

struct Split {
  torch::Tensor images; // N x C x H x W, float32, normalized; token tasks: N x T, int64
  torch::Tensor labels; // N, int64; token tasks: N x T, int64 (the next token)
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct Dataset {
  Split train;
  Split test;
  // The plan's holdout (empty without one): training-split examples evaluated
  // on during the run instead of the test split. The origins give each row's
  // index in the whole training split as read from disk.
  Split holdout;
  torch::Tensor trainOrigin, holdoutOrigin; // int64, CPU; undefined without a holdout
  // Token tasks keep mean 0, std 1 and padValue 0: ids are not normalized.
  float mean = 0, std = 1;
  float padValue = 0; // the normalized value of a black pixel
};

// Loads the plan's task. Fashion-MNIST is read from task.path (or
// $FIVER_DATA_DIR); task.holdout examples are taken out of the training split
// first (runtime/data/Holdout.h), then a train_size below what is left keeps
// the first train_size of the rest. `synthetic` builds learnable class
// patterns in memory (train_size + holdout training examples). `text` reads a
// file or folder of text (runtime/data/TextReader.h); `synthetic_text` draws
// train_size + holdout and test_size sequences from one random Markov chain.
Dataset loadDataset(const plan::Task& task, uint64_t seed);

// The same data resident on `device` (decoded once, copied once).
Dataset toDevice(const Dataset& data, const torch::Device& device);

} // namespace fiver::runtime
