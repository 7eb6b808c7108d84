#include "methods/swa/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"

#include <algorithm>
#include <set>
#include <string>

namespace fiver::runtime {

void swaUpdate(std::vector<torch::Tensor>& average, const std::vector<torch::Tensor>& live,
               int64_t countBefore) {
  torch::NoGradGuard noGrad;
  const double weight = 1.0 / static_cast<double>(countBefore + 1);
  for (size_t i = 0; i < average.size(); ++i)
    average[i].lerp_(live[i], weight);
}

namespace {
std::vector<torch::Tensor> parametersOf(PlanModel& model) {
  return model->parameters();
}

std::vector<torch::Tensor> cloneAll(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : tensors)
    out.push_back(t.detach().clone());
  return out;
}

void copyInto(const std::vector<torch::Tensor>& into, const std::vector<torch::Tensor>& from) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < into.size(); ++i)
    into[i].copy_(from[i]);
}

std::vector<torch::nn::BatchNorm2dImpl*> batchNorms(PlanModel& model) {
  std::vector<torch::nn::BatchNorm2dImpl*> bns;
  for (const auto& m : model->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) bns.push_back(bn);
  return bns;
}
} // namespace

// Averaged weights never saw the batch-norm statistics that match them: the
// statistics are re-estimated with a cumulative average over training data.
// Norms that layer_freezing folded into their conv are skipped by the forward
// pass, so folding is lifted for the re-estimate: the folded conv reads the
// statistics of its averaged weights, never the reset ones.
void Swa::recomputeBatchNorm(TrainState& s) {
  if (!s.trainImages || !s.trainImages->defined()) return;
  std::vector<torch::nn::BatchNorm2dImpl*> bns = batchNorms(s.model);
  if (bns.empty()) return;
  torch::NoGradGuard noGrad;
  std::set<std::string> folded = s.model->unfoldBatchNorms();
  std::vector<c10::optional<double>> momenta;
  for (auto* bn : bns) {
    momenta.push_back(bn->options.momentum());
    bn->options.momentum(c10::nullopt);
    bn->reset_running_stats();
  }
  const bool wasTraining = s.model->is_training();
  s.model->train();
  const int64_t n = std::min<int64_t>(s.trainImages->size(0), kBatchNormSamples);
  for (int64_t start = 0; start < n; start += s.batchSize) {
    const torch::Tensor batch = s.trainImages->narrow(0, start, std::min(s.batchSize, n - start));
    s.model->forward(batch);
    chargeForward(s, FlopKind::Averaging, batch);
  }
  s.model->train(wasTraining);
  s.model->refoldBatchNorms(std::move(folded));
  for (size_t i = 0; i < bns.size(); ++i)
    bns[i]->options.momentum(momenta[i]);
}

void Swa::apply(Event e, TrainState& s) {
  switch (e) {
  case Event::AfterOptimizerStep:
    if (s.step < startStep_) return;
    if (average_.empty()) {
      average_ = cloneAll(parametersOf(s.model));
    } else {
      swaUpdate(average_, parametersOf(s.model), count_);
      chargeElementwise(s, FlopKind::Averaging, average_, 3); // lerp: a + w (b - a)
    }
    ++count_;
    break;
  case Event::EvalStart: // evaluate the average, with statistics that fit it
    if (count_ == 0) return;
    saved_ = cloneAll(s.model->stateTensors());
    copyInto(parametersOf(s.model), average_);
    recomputeBatchNorm(s);
    break;
  case Event::EvalEnd: // training goes on from the live weights
    if (saved_.empty()) return;
    copyInto(s.model->stateTensors(), saved_);
    saved_.clear();
    break;
  default:
    break;
  }
}

void Swa::saveState(MethodState& out) const {
  out["count"] = torch::tensor(count_, torch::kInt64);
  for (size_t i = 0; i < average_.size(); ++i)
    out["average." + std::to_string(i)] = average_[i];
}

void Swa::loadState(const MethodState& in) {
  count_ = in.at("count").item<int64_t>();
  average_.clear();
  for (size_t i = 0; in.count("average." + std::to_string(i)); ++i)
    average_.push_back(in.at("average." + std::to_string(i)).clone());
}

namespace {
const HookRegistrar kHook("swa", [](const MethodArgs& args) {
  return std::make_unique<Swa>(args.stepOrFraction("start"));
});
} // namespace

} // namespace fiver::runtime
