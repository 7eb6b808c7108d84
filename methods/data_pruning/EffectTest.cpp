// data_pruning's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "runtime/data/BatchLoader.h"
#include "tests/composition/Probe.h"

#include <cmath>
#include <set>

namespace fiver::composition {
namespace {

// Data pruning: an epoch draws only from the kept examples, at most
// ceil(keep x n_c) of each class c, or ceil(keep x n) sequences (fewer
// than the matrix's three batches would draw from a whole epoch).
class PrunedDraws : public Probe {
public:
  explicit PrunedDraws(int64_t mostKept) : mostKept_(mostKept) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData || !s.loader) return;
    if (s.epoch != epoch_) drawn_.clear();
    epoch_ = s.epoch;
    const torch::Tensor indices = s.loader->lastIndices().to(torch::kCPU).to(torch::kInt64);
    for (int64_t i = 0; i < indices.numel(); ++i)
      drawn_.insert(indices[i].item<int64_t>());
    expect(static_cast<int64_t>(drawn_.size()) <= mostKept_,
           "epoch " + std::to_string(s.epoch) + " drew " + std::to_string(drawn_.size()) +
               " distinct examples, more than the " + std::to_string(mostKept_) + " kept");
  }

private:
  int64_t mostKept_;
  int64_t epoch_ = -1;
  std::set<int64_t> drawn_;
};

std::unique_ptr<Probe> prunedDrawsProbe(const plan::Plan& p) {
  const double keep = methodArgument(p, "data_pruning", "keep");
  // Sequences (a text task) are kept as one group, images per class.
  const bool sequences = p.task.inputShape.size() == 1;
  return std::make_unique<PrunedDraws>(
      static_cast<int64_t>(std::ceil(keep * static_cast<double>(p.task.trainSize))) +
      (sequences ? 0 : p.task.classes));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "data_pruning",
    "remove training_data static learned data_pruning(keep: 50%, score_at: 1 steps, "
    "score_seeds: 1)",
    {InputKind::Image, InputKind::Text},
    prunedDrawsProbe});
} // namespace
} // namespace fiver::composition
