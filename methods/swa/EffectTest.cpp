// swa's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "methods/swa/Hook.h"
#include "tests/composition/ProbeSupport.h"

#include <algorithm>

namespace fiver::composition {
namespace {

std::vector<torch::nn::BatchNorm2dImpl*> batchNorms(runtime::PlanModel& model) {
  std::vector<torch::nn::BatchNorm2dImpl*> out;
  for (const auto& m : model->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) out.push_back(bn);
  return out;
}

// The batch-norm statistics of `model`'s weights, estimated apart from the
// run: a fresh model with those weights, statistics reset and a cumulative
// average (momentum None), runs in train mode over the first training
// examples, in the run's batch size, as SWA's re-estimate is specified to.
std::vector<torch::Tensor> recomputedStatistics(runtime::PlanModel& model,
                                                const torch::Tensor& examples, int64_t batch) {
  runtime::PlanModel fresh = modelPrefix(model, model->ops().size());
  for (torch::nn::BatchNorm2dImpl* bn : batchNorms(fresh)) {
    bn->options.momentum(c10::nullopt);
    bn->reset_running_stats();
  }
  fresh->train();
  torch::NoGradGuard noGrad;
  const int64_t n = std::min<int64_t>(examples.size(0), runtime::Swa::kBatchNormSamples);
  for (int64_t start = 0; start < n; start += batch)
    fresh->forward(examples.narrow(0, start, std::min(batch, n - start)));
  std::vector<torch::Tensor> out;
  for (torch::nn::BatchNorm2dImpl* bn : batchNorms(fresh)) {
    out.push_back(bn->running_mean);
    out.push_back(bn->running_var);
  }
  return out;
}

std::vector<torch::Tensor> statistics(runtime::PlanModel& model) {
  std::vector<torch::Tensor> out;
  for (torch::nn::BatchNorm2dImpl* bn : batchNorms(model)) {
    out.push_back(bn->running_mean);
    out.push_back(bn->running_var);
  }
  return out;
}

// SWA: evaluation runs on the equal-weight average of the weights after each
// step from `start` on, with batch-norm statistics that equal the ones
// recomputed here for those weights.
class EvaluatesSwa : public Probe {
public:
  explicit EvaluatesSwa(int64_t startStep) : start_(startStep) {}
  void afterMethods(Event e, const TrainState& s) override {
    torch::NoGradGuard noGrad;
    if (e == Event::AfterOptimizerStep && s.step >= start_) {
      std::vector<torch::Tensor> live = s.model->parameters();
      if (sum_.empty())
        sum_ = copies(live);
      else
        for (size_t i = 0; i < sum_.size(); ++i)
          sum_[i].add_(live[i]);
      ++count_;
    }
    if (e != Event::EvalStart || count_ == 0) return;
    std::vector<torch::Tensor> mean;
    for (const torch::Tensor& t : sum_)
      mean.push_back(t / static_cast<double>(count_));
    const double off = largestDifference(s.model->parameters(), mean);
    expect(off < 1e-5,
           "evaluation runs on weights " + std::to_string(off) + " away from the average");
    if (!s.trainImages || !s.trainImages->defined() || batchNorms(s.model).empty()) return;
    const double statsOff = largestDifference(
        statistics(s.model), recomputedStatistics(s.model, *s.trainImages, s.batchSize));
    expect(statsOff < 1e-4, "evaluation's batch-norm statistics are " + std::to_string(statsOff) +
                                " away from the ones recomputed for the average");
  }

private:
  int64_t start_;
  int64_t count_ = 0;
  std::vector<torch::Tensor> sum_;
};

std::unique_ptr<Probe> swaProbe(const plan::Plan& p) {
  const double start = methodArgument(p, "swa", "start");
  return std::make_unique<EvaluatesSwa>(
      static_cast<int64_t>(start > 1 ? start : start * static_cast<double>(p.training.totalSteps)));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "swa",
    "retrofit model_parameters dynamic domain swa(start: 0%)",
    {InputKind::Image, InputKind::Text},
    swaProbe,
    {{"ghost_batchnorm",
      "it normalizes training-mode forwards over ghost batches, so swa's re-estimate (a "
      "training-mode pass) averages ghost-batch statistics, not the whole batches' statistics "
      "this probe recomputes on a fresh model"}}});
} // namespace
} // namespace fiver::composition
