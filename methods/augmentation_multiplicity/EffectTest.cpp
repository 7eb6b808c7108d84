// augmentation_multiplicity's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

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
    repeatedExamplesProbe,
    {{"data_echoing", "example echoing reshuffles the echoed examples across batches, so the "
                      "copies no longer share one (batch echoing keeps them)"}}});
} // namespace
} // namespace fiver::composition
