// stochastic_depth's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"
#include "tests/composition/ResidualBranchProbes.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace fiver::composition {
namespace {

// Stochastic depth (the card): in training, each residual branch is either
// dropped for the whole step (its parameters get no gradient, and the add
// passes its skip input on) or kept and scaled by 1 / (1 - p); evaluation
// runs every branch, unscaled. Each step's forward is recomputed here with
// the drops read off the gradients and the kept branches' scales.
class SkippedBranches : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward) input_ = s.images.detach().clone();
    if (e == Event::EvalStart && input_.defined()) checkEvaluation(s.model);
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterForward) output_ = s.output.detach().clone();
    if (e == Event::AfterBackward && output_.defined()) checkStep(s);
  }
  void finish(runtime::Trainer&) override {
    expect(dropped_ + kept_ > 0, "no residual branch was ever seen dropped or kept");
  }

private:
  // Adds whose branch has no trainable parameter (frozen) could have gone
  // either way: every combination of them is tried.
  void checkStep(const TrainState& s) {
    std::set<int> dropped;
    std::map<int, double> scales;
    std::vector<int> unknown;
    for (int add : s.model->residualAdds()) {
      const plan::Op& op = s.model->ops()[add];
      const double p = plan::getNumber(op.attrs, "drop", 0);
      const std::optional<bool> got = branchGotGradient(s.model, branchOps(s.model->ops(), add));
      if (!got) unknown.push_back(add);
      if (got && !*got) dropped.insert(add);
      if (p > 0 && (!got || *got)) scales[add] = 1 / (1 - p);
    }
    double off = 1;
    for (size_t mask = 0; mask < (size_t{1} << unknown.size()) && off >= 1e-4; ++mask) {
      std::set<int> tryDropped = dropped;
      for (size_t i = 0; i < unknown.size(); ++i)
        if (mask >> i & 1) tryDropped.insert(unknown[i]);
      std::map<int, double> tryScales = scales;
      for (int add : tryDropped)
        tryScales.erase(add);
      off = std::min(off, relativeDifference(output_, forwardWith(s.model, tryDropped, tryScales)));
    }
    dropped_ += static_cast<int64_t>(dropped.size());
    kept_ += static_cast<int64_t>(scales.size());
    expect(off < 1e-4, "step " + std::to_string(s.step) + ": the forward is " +
                           std::to_string(off) + " away from the one with " +
                           std::to_string(dropped.size()) + " branches dropped and the others " +
                           "kept and scaled by 1 / (1 - p)");
  }

  // The model's training forward of the step's input with these drops and
  // scales; the batch-norm statistics it updates are put back.
  torch::Tensor forwardWith(runtime::PlanModel& model, std::set<int> dropped,
                            std::map<int, double> scales) {
    torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> buffers = copies(model->buffers());
    model->setBranchDrops(std::move(dropped), std::move(scales));
    const torch::Tensor out = model->forward(input_);
    model->setBranchDrops({}, {});
    for (size_t i = 0; i < buffers.size(); ++i)
      model->buffers()[i].copy_(buffers[i]);
    return out;
  }

  // Evaluation runs every branch unscaled, whatever drops and scales a
  // training step would set.
  void checkEvaluation(runtime::PlanModel& model) {
    torch::NoGradGuard noGrad;
    const bool training = model->is_training();
    model->eval();
    const torch::Tensor asEvaluated = model->forward(input_);
    std::set<int> all;
    std::map<int, double> scales;
    for (int add : model->residualAdds()) {
      all.insert(add);
      scales[add] = 2;
    }
    model->setBranchDrops(all, {});
    const torch::Tensor withDrops = model->forward(input_);
    model->setBranchDrops({}, scales);
    const torch::Tensor withScales = model->forward(input_);
    model->setBranchDrops({}, {});
    model->train(training);
    expect(torch::equal(asEvaluated, withDrops) && torch::equal(asEvaluated, withScales),
           "evaluation drops or scales residual branches");
  }

  torch::Tensor input_, output_;
  int64_t dropped_ = 0, kept_ = 0;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "stochastic_depth",
    "remove architecture dynamic domain stochastic_depth(drop: 0.5)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<SkippedBranches>();
    }});

} // namespace
} // namespace fiver::composition
