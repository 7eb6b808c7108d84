// augmentation_multiplicity's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/PairRun.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::composition {
namespace {

// Augmentation multiplicity: the loader hands out each example `copies`
// times in a row (their labels repeat).
class RepeatedExamples : public Probe {
public:
  explicit RepeatedExamples(int64_t copies) : copies_(copies) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const int64_t n = s.labels.size(0) / copies_ * copies_;
    torch::Tensor groups = s.labels.narrow(0, 0, n).view({-1, copies_});
    expect(groups.eq(groups.select(1, 0).unsqueeze(1)).all().item<bool>(),
           "step " + std::to_string(s.step) + " does not repeat its examples");
  }

private:
  int64_t copies_;
};

std::unique_ptr<Probe> repeatedExamplesProbe(const plan::Plan& p) {
  return std::make_unique<RepeatedExamples>(
      std::llround(methodArgument(p, "augmentation_multiplicity", "copies")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "augmentation_multiplicity",
    "retrofit training_data static domain augmentation_multiplicity(copies: 2)",
    {InputKind::Image},
    repeatedExamplesProbe});

// Beside data_echoing the copies share a batch when whole batches are
// echoed; echoing single examples is a declared conflict (the matrix's
// data_echoing line echoes examples, its default).
TEST(AugmentationMultiplicityEffect, CopiesShareABatchBesideBatchEchoing) {
  MethodUnderTest batchEchoing = methodUnderTest("data_echoing");
  batchEchoing.line = "retrofit training_data static domain data_echoing(factor: 2, stage: batch)";
  const MethodUnderTest& self = methodUnderTest("augmentation_multiplicity");
  const CellOutcome batches = runCell({&self, &batchEchoing}, InputKind::Image);
  ASSERT_EQ(batches.verdict, CellOutcome::Verdict::Ran) << batches.diagnostics;
  EXPECT_TRUE(batches.waived.empty());
  EXPECT_TRUE(batches.failures.empty()) << batches.failures.front();
  const CellOutcome examples =
      checkCell({&self, &methodUnderTest("data_echoing")}, InputKind::Image);
  EXPECT_EQ(examples.verdict, CellOutcome::Verdict::Conflict) << examples.diagnostics;
}
} // namespace
} // namespace fiver::composition
