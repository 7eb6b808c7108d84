// lora's effect as the composition matrix checks it: the recipe line
// (adapters on the small test models' layers), the inputs it fits, its probe.
#include "compiler/plan/LowRankAdapters.h"
#include "compiler/plan/OpKinds.h"
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// What the adapted layer computes on its input `x` with one weight,
// W + factor * up * down: what export writes in its place.
torch::Tensor foldedLayer(runtime::PlanModel& model, const plan::Op& base,
                          const plan::LowRankAdapter& a, const torch::Tensor& x) {
  const std::vector<plan::Op>& ops = model->ops();
  auto weight = [&](int op) {
    return model->parametersOf(ops[static_cast<size_t>(op)].name)
        .at(0)
        .detach()
        .to(torch::kFloat32);
  };
  const std::vector<torch::Tensor> baseParams = model->parametersOf(base.name);
  const torch::Tensor w = baseParams.at(0).detach().to(torch::kFloat32);
  const torch::Tensor bias = baseParams.size() > 1 ? baseParams[1].detach() : torch::Tensor();
  const torch::Tensor folded =
      w + (weight(a.up).flatten(1).mm(weight(a.down).flatten(1)) * a.factor).reshape(w.sizes());
  if (plan::isKind(base.kind, plan::OpKind::Linear))
    return torch::nn::functional::linear(x, folded, bias);
  const auto attr = [&](const char* key) {
    return static_cast<int64_t>(plan::getNumber(base.attrs, key, 0));
  };
  return torch::conv2d(x, folded, bias, attr("stride"), attr("padding"));
}

// LoRA: before the first step every up projection is zero and every adapted
// layer's weight and bias are frozen; after every step those are unchanged
// and have no gradient; the adapters train; and at evaluation each join
// outputs what one layer with the folded weight outputs. A run without
// adapters, one that trains the frozen layers, one whose adapters never
// move or compute anything but W + factor * up * down fails.
class FrozenBaseTrainedAdapters : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::FitStart) start(s);
    if (e == Event::BeforeForward) input_ = s.images.detach().clone();
    if (e == Event::BatchEnd) checkFrozen(s);
    if (e == Event::EvalStart && input_.defined()) checkFolded(s);
  }
  void finish(runtime::Trainer&) override {
    double moved = 0;
    for (const torch::Tensor& up : ups_)
      moved = std::max(moved, up.detach().abs().max().item<double>());
    expect(!ups_.empty() && moved > 0, "no adapter's up projection moved from zero");
  }

private:
  std::vector<torch::Tensor> paramsOf(const TrainState& s, int op) {
    return s.model->parametersOf(s.model->ops()[static_cast<size_t>(op)].name);
  }
  void start(const TrainState& s) {
    adapters_ = plan::lowRankAdapters(s.model->ops());
    expect(!adapters_.empty(), "no layer of the model has a low-rank adapter");
    for (const plan::LowRankAdapter& a : adapters_) {
      ups_.push_back(paramsOf(s, a.up).at(0));
      expect(ups_.back().abs().max().item<double>() == 0,
             "an up projection does not start at zero");
      for (const torch::Tensor& p : paramsOf(s, a.base)) {
        expect(!p.requires_grad(), "an adapted layer's parameter still trains");
        frozen_.push_back(p);
        start_.push_back(p.detach().clone());
      }
    }
  }
  void checkFrozen(const TrainState& s) {
    for (size_t i = 0; i < frozen_.size(); ++i) {
      expect(torch::equal(frozen_[i].detach(), start_[i]),
             "an adapted layer's weight changed at step " + std::to_string(s.step));
      expect(!frozen_[i].grad().defined(), "an adapted layer's weight has a gradient");
    }
  }
  void checkFolded(const TrainState& s) {
    const std::vector<plan::Op>& ops = s.model->ops();
    for (const plan::LowRankAdapter& a : adapters_) {
      const plan::Op& base = ops[static_cast<size_t>(a.base)];
      const torch::Tensor in = opOutput(s.model, base.inputs.at(0), input_);
      const torch::Tensor out = opOutput(s.model, static_cast<size_t>(a.join), input_);
      // 16-bit layers round their products: compare loosely then.
      const double tolerance = base.dtype == "fp32" ? 1e-4 : 5e-2;
      const double off = relativeDifference(out, foldedLayer(s.model, base, a, in));
      expect(off < tolerance, base.name + " with its adapter is " + std::to_string(off) +
                                  " (relative) away from the layer with the folded weight");
    }
  }
  std::vector<plan::LowRankAdapter> adapters_;
  std::vector<torch::Tensor> frozen_, start_, ups_;
  torch::Tensor input_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "lora",
    "restrict model_parameters static domain lora(rank: 2, alpha: 4.0, min_features: 4)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<FrozenBaseTrainedAdapters>();
    }});

} // namespace
} // namespace fiver::composition
