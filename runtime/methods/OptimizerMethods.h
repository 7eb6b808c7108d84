// Methods that replace the optimizer (lamb, lars) or its learning rate
// (lr_range_test).
#pragma once

#include "runtime/train/Method.h"

#include <string>
#include <vector>

namespace fiver::runtime {

// --- lamb, lars: the method builds its optimizer when the trainer asks
// (Method::replaceOptimizer, with the builders of runtime/optim/
// TrainingOptimizer.h) and checks at FIT_START that it is the one training,
// so a trainer that built another one fails instead of silently training
// with the recipe's optimizer.
class ReplacedOptimizer : public Method {
public:
  using Builder = std::unique_ptr<torch::optim::Optimizer> (*)(const plan::Method&,
                                                               const plan::Plan&, PlanModel&);
  ReplacedOptimizer(plan::Method method, Builder build)
      : method_(std::move(method)), build_(build) {}
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;
  std::unique_ptr<torch::optim::Optimizer> replaceOptimizer(const plan::Plan& p,
                                                            PlanModel& model) override;

private:
  plan::Method method_;
  Builder build_;
  const torch::optim::Optimizer* built_ = nullptr;
};

// --- lr_range_test: a short exponential learning-rate sweep before training ---
struct LrRangeCurve {
  std::vector<double> lrs;
  std::vector<double> smoothedLosses; // bias-corrected EMA of the losses, beta 0.98
};
// The rate of `step` of `length`: min_lr at 0, max_lr at length - 1.
double rangeTestLearningRate(int64_t step, int64_t length, double minLr, double maxLr);
// `steepest`: the rate where the smoothed loss falls fastest per log-rate;
// `min_div_10`: a tenth of the rate at the smoothed loss's minimum.
double pickLearningRate(const LrRangeCurve& curve, const std::string& pick);

class LrRangeTest : public Method {
public:
  LrRangeTest(int64_t lengthSteps, double minLr, double maxLr, std::string pick);
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  // Sweeps, restores weights, buffers, optimizer state and the generator, and
  // sets the schedule's peak rate through state.setPeakLearningRate.
  void apply(Event e, TrainState& s) override;
  double chosen() const { return chosen_; }
  const LrRangeCurve& curve() const { return curve_; }

private:
  int64_t length_;
  double minLr_, maxLr_;
  std::string pick_;
  double chosen_ = 0;
  LrRangeCurve curve_;
};

} // namespace fiver::runtime
