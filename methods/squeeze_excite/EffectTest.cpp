// squeeze_excite's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "compiler/plan/OpKinds.h"
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// Squeeze-excite: each gate multiplies every channel of its input by one
// factor per example, sigmoid(up(relu(down(the channel's mean)))), strictly
// between 0 and 1; computed here from the gate's two linear layers, on the
// batch the last step trained on and with the weights evaluation uses.
class GatedChannels : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward) input_ = s.images.detach().clone();
    if (e != Event::EvalStart || !input_.defined()) return;
    const std::vector<plan::Op>& ops = s.model->ops();
    int gates = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!plan::isKind(ops[i].kind, plan::OpKind::SqueezeExcite)) continue;
      ++gates;
      check(s.model, ops[i], opOutput(s.model, ops[i].inputs.at(0), input_),
            opOutput(s.model, i, input_));
    }
    expect(gates > 0, "the model that trains has no squeeze-excite gate");
  }

private:
  void check(runtime::PlanModel& model, const plan::Op& op, const torch::Tensor& in,
             const torch::Tensor& out) {
    namespace F = torch::nn::functional;
    // Down's weight and bias, then up's (the gate's registration order).
    const std::vector<torch::Tensor> w = model->parametersOf(op.name);
    const torch::Tensor hidden = torch::relu(F::linear(in.mean({2, 3}), w.at(0), w.at(1)));
    const torch::Tensor gate = torch::sigmoid(F::linear(hidden, w.at(2), w.at(3)));
    expect(gate.gt(0).all().item<bool>() && gate.lt(1).all().item<bool>(),
           op.name + "'s gates leave (0, 1)");
    const double tolerance = op.dtype == "fp32" ? 1e-5 : 2e-2;
    const double off = relativeDifference(out, in * gate.view({in.size(0), in.size(1), 1, 1}));
    expect(off < tolerance, op.name + "'s output is " + std::to_string(off) +
                                " (relative) away from its input gated per channel");
  }

  torch::Tensor input_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "squeeze_excite",
    "retrofit architecture static domain squeeze_excite(reduction: 2, min_channels: 4)",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<GatedChannels>(); }});

} // namespace
} // namespace fiver::composition
