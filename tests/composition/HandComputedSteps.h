// The probe shape of the methods that replace the optimizer (lamb, lars):
// every step the optimizer takes must equal the step computed here by hand,
// in fp64, from the weights and gradients it is handed.
#pragma once

#include "tests/composition/Probe.h"

#include <string>
#include <utility>
#include <vector>

namespace fiver::composition {

template <class OptimizerT, class OptionsT> class HandComputedSteps : public Probe {
public:
  explicit HandComputedSteps(std::string method) : method_(std::move(method)) {}

  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    steps_.clear();
    if (!dynamic_cast<const OptimizerT*>(&s.optimizer)) {
      expect(false, "step " + std::to_string(s.step) + " is not taken by " + method_);
      return;
    }
    for (const auto& group : s.optimizer.param_groups()) {
      const auto& o = static_cast<const OptionsT&>(group.options());
      for (const torch::Tensor& p : group.params())
        if (p.grad().defined())
          steps_.push_back({p, p.detach().to(torch::kFloat64), expectedChange(p, o)});
    }
  }

  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep) return;
    for (const Step& step : steps_) {
      // fp32 weights round their change to about 1e-7 of their size.
      const torch::Tensor moved = step.parameter.detach().to(torch::kFloat64) - step.before;
      const double largest = step.change.abs().max().template item<double>();
      const double off = (moved - step.change).abs().max().template item<double>();
      const double bound = 1e-3 * largest + 1e-6 * step.before.abs().max().template item<double>();
      expect(off <= bound, "step " + std::to_string(s.step) + ": a parameter moved " +
                               std::to_string(off) + " away from the " + method_ +
                               " step of largest entry " + std::to_string(largest));
    }
  }

protected:
  // The change one step makes to `p` (fp64), updating whatever state the
  // subclass keeps beside the optimizer's own.
  virtual torch::Tensor expectedChange(const torch::Tensor& p, const OptionsT& o) = 0;

private:
  struct Step {
    torch::Tensor parameter, before, change;
  };
  std::string method_;
  std::vector<Step> steps_; // this step's, computed before the optimizer takes it
};

} // namespace fiver::composition
