// layer_freezing's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <map>

namespace fiver::composition {
namespace {

// Layer freezing: a frozen op's parameters never change after its freeze.
class FrozenUnchanged : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BatchStart) {
      for (const plan::Op& op : s.model->ops())
        if (op.freezeStep == s.step && s.model->moduleOf(op.name))
          frozen_[op.name] = copies(s.model->parametersOf(op.name));
    }
    if (e != Event::BatchEnd) return;
    for (const auto& [name, at] : frozen_) {
      const double off = largestDifference(s.model->parametersOf(name), at);
      expect(off == 0, name + " moved by " + std::to_string(off) + " at step " +
                           std::to_string(s.step) + " after it froze");
    }
  }
  void finish(runtime::Trainer&) override { expect(!frozen_.empty(), "nothing froze"); }

private:
  std::map<std::string, std::vector<torch::Tensor>> frozen_;
};

std::unique_ptr<Probe> freezingProbe(const plan::Plan&) {
  return std::make_unique<FrozenUnchanged>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "layer_freezing",
    "reorder model_parameters dynamic domain layer_freezing(start: 0%, end: 34%)",
    {InputKind::Image, InputKind::Text},
    freezingProbe});
} // namespace
} // namespace fiver::composition
