// weight_tying's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Weight tying: the output projection has no weight of its own; the
// embedding's table is the only parameter of its shape (the matrix's text
// task has more classes than the model's width, so no other weight has it).
class TiedProjection : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BatchEnd) return;
    for (const plan::Op& op : s.model->ops()) {
      const std::string table = plan::getString(op.attrs, "tied_to", "");
      if (table.empty()) continue;
      const torch::IntArrayRef shape = s.model->parametersOf(table).at(0).sizes();
      int64_t same = 0;
      for (const torch::Tensor& p : s.model->parameters())
        same += p.sizes() == shape ? 1 : 0;
      expect(same == 1, op.name + " holds a weight of its own beside " + table + "'s table");
    }
  }
};

std::unique_ptr<Probe> tiedProjectionProbe(const plan::Plan&) {
  return std::make_unique<TiedProjection>();
}

const EffectRegistrar kEffect(MethodUnderTest{"weight_tying",
                                              "restrict architecture static domain weight_tying",
                                              {InputKind::Text},
                                              tiedProjectionProbe});
} // namespace
} // namespace fiver::composition
