// curriculum's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/data/BatchLoader.h"
#include "tests/composition/Probe.h"

#include <cmath>

namespace fiver::composition {
namespace {

// Curriculum: the first batch comes from the easiest `start` of the data, so
// it holds at most ceil(start x n) distinct examples (fewer than a batch in
// the matrix, where a plain epoch's first batch holds a batch of them).
class EasyStart : public Probe {
public:
  explicit EasyStart(int64_t pool) : pool_(pool) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData || s.step != 0 || !s.loader) return;
    const int64_t distinct = std::get<0>(torch::_unique(s.loader->lastIndices())).numel();
    expect(distinct <= pool_, "the first batch draws " + std::to_string(distinct) +
                                  " distinct examples from a pool of " + std::to_string(pool_));
  }

private:
  int64_t pool_;
};

std::unique_ptr<Probe> easyStartProbe(const plan::Plan& p) {
  const double start = methodArgument(p, "curriculum", "start");
  return std::make_unique<EasyStart>(
      static_cast<int64_t>(std::ceil(start * static_cast<double>(p.task.trainSize))));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "curriculum",
    "reorder training_data dynamic learned curriculum(start: 10%, until: 100%, score_at: 1 "
    "steps)",
    {InputKind::Image, InputKind::Text},
    easyStartProbe});
} // namespace
} // namespace fiver::composition
