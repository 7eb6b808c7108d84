// factorize's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "compiler/plan/OpKinds.h"
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// The layer the two factors stand for: the product of their weights (the
// first factor, X_low, has no bias; the second, X, is 1x1 and keeps the
// layer's bias), with the first factor's kernel, stride and padding.
torch::Tensor productLayer(runtime::PlanModel& model, const plan::Op& low, const plan::Op& up,
                           const torch::Tensor& x) {
  const torch::Tensor wl = model->parametersOf(low.name).at(0).detach().to(torch::kFloat32);
  const std::vector<torch::Tensor> upParams = model->parametersOf(up.name);
  const torch::Tensor wu = upParams.at(0).detach().to(torch::kFloat32);
  const torch::Tensor bias = upParams.size() > 1 ? upParams[1].detach() : torch::Tensor();
  const torch::Tensor weight = wu.flatten(1).mm(wl.flatten(1).contiguous());
  if (plan::isKind(up.kind, plan::OpKind::Linear))
    return torch::nn::functional::linear(x, weight, bias);
  const auto attr = [&](const char* key) {
    return static_cast<int64_t>(plan::getNumber(low.attrs, key, 0));
  };
  return torch::conv2d(x, weight.view({wu.size(0), wl.size(1), wl.size(2), wl.size(3)}), bias,
                       attr("stride"), attr("padding"));
}

// Factorize: each split layer (X_low, then X) outputs what one layer whose
// weight is the product of the two factors outputs, on the batch the last
// step trained on and with the weights evaluation uses. A run without the
// split, or one whose factors compute anything else, fails.
class ProductOfFactors : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward) input_ = s.images.detach().clone();
    if (e != Event::EvalStart || !input_.defined()) return;
    const std::vector<plan::Op>& ops = s.model->ops();
    int split = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      const plan::Op& up = ops[i];
      if (up.inputs.size() != 1 || ops[up.inputs[0]].name != up.name + "_low") continue;
      const plan::Op& low = ops[up.inputs[0]];
      ++split;
      const torch::Tensor in = opOutput(s.model, low.inputs.at(0), input_);
      const torch::Tensor out = opOutput(s.model, i, input_);
      // 16-bit factors round their intermediate: compare loosely then.
      const double tolerance = up.dtype == "fp32" ? 1e-4 : 5e-2;
      const double off = relativeDifference(out, productLayer(s.model, low, up, in));
      expect(off < tolerance, up.name + " is " + std::to_string(off) +
                                  " (relative) away from the product of its factors");
    }
    expect(split > 0, "no layer of the model that trains is split into two factors");
  }

private:
  torch::Tensor input_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "factorize",
    "restrict model_parameters static domain factorize(rank: 0.5, min_channels: 4, "
    "min_features: 4, "
    "min_saving: 0%)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<ProductOfFactors>();
    },
    {{"lora", "it puts an adapter's join between the two factors of a split layer, so the "
              "second factor no longer reads the first directly"}}});

} // namespace
} // namespace fiver::composition
