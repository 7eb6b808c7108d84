// Lookahead's sync used to pull every parameter towards its slow copy, the
// frozen ones included: a layer that froze after training for a step moved
// back towards its initial weights at the next sync.
#include "runtime/data/Dataset.h"
#include "tests/composition/Probe.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

TEST(CompositionRegression, LookaheadLeavesFrozenLayersWhereTheyFroze) {
  // Every layer freezes at step 1, after one step of training; lookahead
  // syncs at the end of step 1.
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(
      "recipe t {\n"
      "  task synthetic_images\n"
      "  model small_cnn(width: 4)\n"
      "  optimizer sgd(lr: 0.1, momentum: 0.9)\n"
      "  batch_size 16\n"
      "  budget 3 steps\n"
      "  reorder model_parameters dynamic domain layer_freezing(start: 34%, end: 34%)\n"
      "  retrofit training_algorithm static domain lookahead(k: 2, alpha: 0.5)\n"
      "}\n",
      diags);
  ASSERT_TRUE(p.has_value());
  p->task.trainSize = 64;
  p->task.testSize = 16;
  std::unique_ptr<Probe> frozen = methodUnderTest("layer_freezing").probe(*p);
  runtime::TrainOptions options;
  options.quiet = true;
  options.threads = 1;
  options.evalEachEpoch = false;
  options.observers.push_back(frozen.get());
  runtime::Dataset data = runtime::loadDataset(p->task, p->training.seed);
  runtime::Trainer trainer(*p, options, &data);
  trainer.fit();
  frozen->finish(trainer);
  EXPECT_GT(frozen->checks(), 0);
  EXPECT_TRUE(frozen->failures().empty()) << frozen->failures().front();
}

} // namespace
} // namespace fiver::composition
