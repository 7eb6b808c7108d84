// Scores of training examples from short training runs, shared by the
// methods that prune or order the data by difficulty.
#pragma once

#include "runtime/train/Method.h"

#include <string>

namespace fiver::runtime {

struct Split;

struct ExampleScoring {
  std::string score = "el2n"; // el2n: |softmax(f(x)) - onehot(y)|_2; loss: cross-entropy
  int64_t steps = 0;          // training steps before scoring (0: the model at init)
  int64_t runs = 1;           // independently initialized runs, scores averaged
};
// One score per example of `train` (float32, CPU); higher is harder. Each run
// trains a fresh model of the plan with the plan's optimizer and schedule on
// plain shuffled batches, then scores every example in eval mode. The FLOPs
// those runs executed are added to `flops` when given.
torch::Tensor scoreExamples(const plan::Plan& p, const Split& train, const ExampleScoring& how,
                            uint64_t seed, double* flops = nullptr);
void checkScoreName(const std::string& method, const std::string& score);

} // namespace fiver::runtime
