// Small plans built in C++ for the runtime tests: a tiny CNN over either the
// synthetic task or a Fashion-MNIST subset, so each test trains in seconds.
#pragma once

#include "compiler/plan/Plan.h"

#include <string>

namespace fiver::runtime::testing {

inline const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct TinyPlanOptions {
  std::string dataset = "synthetic"; // or "fashion_mnist"
  int64_t trainSize = 512;
  int64_t testSize = 512;
  int64_t batchSize = 32;
  int64_t totalSteps = 20;
  bool channelsLast = false;
  bool headless = false; // end at the last relu (4-D output) instead of the classifier
  bool residual = false; // add a residual block conv3 bn3 relu3 + relu2 after relu2
  std::string globalPool = "global_avgpool"; // or "global_maxpool"
};

// input -> conv1 bn1 relu1 maxpool1 -> conv2 bn2 relu2 [-> conv3 bn3 relu3 add1(relu3, relu2)]
//       -> global_avgpool1 (or global_maxpool1) flatten linear1
plan::Plan tinyCnnPlan(const TinyPlanOptions& o = {});

// One plan op, in the contiguous layout.
plan::Op makeOp(int id, std::string kind, std::string name, std::vector<int> inputs,
                plan::ScalarMap attrs = {}, std::vector<int64_t> shape = {});

// Sets the task's training size and the timeline: `totalSteps` steps of
// `batchSize` examples, and the epochs they make.
void setTimeline(plan::Plan& p, int64_t trainSize, int64_t batchSize, int64_t totalSteps);

// Appends a plan method using `hook` with the given parameters; the others
// get their stdlib defaults on the plan's timeline (set it first).
void addMethod(plan::Plan& p, const std::string& name, plan::ScalarMap params = {});

// The op called `name` (throws when absent).
plan::Op& opNamed(plan::Plan& p, const std::string& name);

} // namespace fiver::runtime::testing
