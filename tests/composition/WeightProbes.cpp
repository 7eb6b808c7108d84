// Probes of the methods that act on the weights: averages evaluated in
// their place, slow weights, masks, frozen layers and initialisations.
#include "tests/composition/Probes.h"

#include "compiler/plan/OpKinds.h"
#include "methods/cyclic_lr/Hook.h"
#include "methods/gradient_centralization/Hook.h"
#include "methods/gradient_clipping/Hook.h"
#include "methods/gradual_magnitude_pruning/Hook.h"
#include "methods/kaiming_init/Hook.h"
#include "methods/lookahead/Hook.h"
#include "methods/orthogonal_init/Hook.h"
#include "methods/sam/Hook.h"
#include "methods/warmup/Hook.h"
#include "runtime/methods/OptimizedParameters.h"

#include <cmath>

namespace fiver::composition {

namespace {

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : tensors)
    out.push_back(t.detach().clone());
  return out;
}

double largestDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].is_floating_point())
      worst = std::max(
          worst, (a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64)).abs().max().item<double>());
  return worst;
}

// EMA: evaluation runs on the exponential average of the weights and
// batch-norm statistics after each step, with decay 0.5^(1 / half_life).
class EvaluatesEma : public Probe {
public:
  explicit EvaluatesEma(double halfLife) : decay_(std::pow(0.5, 1 / std::max(1.0, halfLife))) {}
  void afterMethods(Event e, const TrainState& s) override {
    torch::NoGradGuard noGrad;
    if (e == Event::FitStart) average_ = copies(s.model->stateTensors());
    if (e == Event::AfterOptimizerStep) {
      std::vector<torch::Tensor> live = s.model->stateTensors();
      for (size_t i = 0; i < average_.size(); ++i)
        if (average_[i].is_floating_point()) average_[i].lerp_(live[i], 1 - decay_);
    }
    if (e == Event::EvalStart) {
      const double off = largestDifference(s.model->stateTensors(), average_);
      expect(off < 1e-5, "evaluation runs on weights " + std::to_string(off) +
                             " away from the exponential average");
    }
  }

private:
  double decay_;
  std::vector<torch::Tensor> average_;
};

// The running means of the model's batch norms (none in a transformer).
std::vector<torch::Tensor> runningMeans(runtime::PlanModel& model) {
  std::vector<torch::Tensor> out;
  for (const auto& m : model->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get()))
      out.push_back(bn->running_mean);
  return out;
}

// SWA: evaluation runs on the equal-weight average of the weights after each
// step from `start` on, with batch-norm statistics recomputed for it.
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
    if (e == Event::EvalStart && count_ > 0) {
      std::vector<torch::Tensor> mean;
      for (const torch::Tensor& t : sum_)
        mean.push_back(t / static_cast<double>(count_));
      const double off = largestDifference(s.model->parameters(), mean);
      expect(off < 1e-5,
             "evaluation runs on weights " + std::to_string(off) + " away from the average");
      const std::vector<torch::Tensor> means = runningMeans(s.model);
      for (size_t i = 0; i < means.size(); ++i)
        expect(!torch::equal(means[i], liveMeans_[i]),
               "batch-norm statistics were not recomputed for the average");
    }
  }
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::EvalStart) liveMeans_ = copies(runningMeans(s.model));
  }

private:
  int64_t start_;
  int64_t count_ = 0;
  std::vector<torch::Tensor> sum_, liveMeans_;
};

// Lookahead: every k-th step moves the slow weights alpha of the way to the
// fast ones and restarts from them. Frozen parameters take no part.
class SlowWeights : public Probe {
public:
  SlowWeights(int64_t k, double alpha) : k_(k), alpha_(alpha) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterOptimizerStep) fast_ = copies(s.model->parameters());
  }
  void afterMethods(Event e, const TrainState& s) override {
    torch::NoGradGuard noGrad;
    if (e == Event::FitStart) slow_ = copies(s.model->parameters());
    if (e != Event::AfterOptimizerStep || (s.step + 1) % k_ != 0) return;
    std::vector<torch::Tensor> live = s.model->parameters();
    for (size_t i = 0; i < live.size(); ++i) {
      if (!live[i].requires_grad()) continue;
      slow_[i].lerp_(fast_[i], alpha_);
      // Entries a later method zeroed after the sync are that method's
      // effect (gradual_magnitude_pruning runs `after lookahead`).
      torch::Tensor expected = torch::where(live[i].eq(0), live[i], slow_[i]);
      const double off = (live[i] - expected).abs().max().item<double>();
      expect(off < 1e-5, "step " + std::to_string(s.step) + ": a parameter is " +
                             std::to_string(off) + " away from the slow weights");
    }
  }

private:
  int64_t k_;
  double alpha_;
  std::vector<torch::Tensor> slow_, fast_;
};

// Gradual magnitude pruning: after each optimizer step, and in the model
// that is evaluated, every weight matrix has at least the scheduled share
// of zeros. The recipe line reaches its final sparsity at the first step.
class SparseWeights : public Probe {
public:
  explicit SparseWeights(double sparsity) : sparsity_(sparsity) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep && e != Event::EvalStart) return;
    for (const plan::Op& op : s.model->ops()) {
      if (!plan::ownsWeightMatrix(op)) continue;
      torch::Tensor w = s.model->parametersOf(op.name)[0];
      const int64_t zeros = w.eq(0).sum().item<int64_t>();
      const auto least = static_cast<int64_t>(sparsity_ * static_cast<double>(w.numel()));
      expect(zeros >= least, std::string(e == Event::EvalStart ? "the evaluated " : "") + op.name +
                                 " has " + std::to_string(zeros) + " zeros of " +
                                 std::to_string(w.numel()) + " (step " + std::to_string(s.step) +
                                 "), expected at least " + std::to_string(least));
    }
  }

private:
  double sparsity_;
};

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

// The weights of convolutions and (untied) linear layers, each as [out, fan_in].
std::vector<std::pair<std::string, torch::Tensor>> weightRows(runtime::PlanModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const plan::Op& op : model->ops())
    if (plan::ownsWeightMatrix(op))
      out.emplace_back(op.name, model->parametersOf(op.name)[0].detach().flatten(1));
  return out;
}

// Kaiming (fan_in, normal): weights start with standard deviation
// sqrt(2 / fan_in), and each residual branch's last batch norm with scale 0.
class KaimingStart : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::Init) return;
    for (const auto& [name, w] : weightRows(s.model)) {
      if (w.numel() < 256) continue; // too few draws to estimate a spread
      const double expected = std::sqrt(2.0 / static_cast<double>(w.size(1)));
      const double spread = w.std().item<double>();
      expect(std::abs(spread / expected - 1) < 0.25, name + " starts with spread " +
                                                         std::to_string(spread) + ", expected " +
                                                         std::to_string(expected));
    }
    for (const std::string& bn : runtime::residualBranchEndNorms(s.model->ops()))
      expect(s.model->parametersOf(bn)[0].abs().max().item<double>() == 0,
             bn + " ends a residual branch but its scale is not zero");
  }
};

// Orthogonal: each [out, fan_in] weight has orthonormal rows (or columns),
// times the gain.
class OrthogonalStart : public Probe {
public:
  explicit OrthogonalStart(double gain) : gain_(gain) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::Init) return;
    for (const auto& [name, w] : weightRows(s.model)) {
      torch::Tensor m = w.to(torch::kFloat64);
      torch::Tensor gram = m.size(0) <= m.size(1) ? m.mm(m.t()) : m.t().mm(m);
      torch::Tensor identity = torch::eye(gram.size(0), gram.options()) * gain_ * gain_;
      const double off = (gram - identity).abs().max().item<double>();
      expect(off < 1e-4, name + " is " + std::to_string(off) + " away from orthogonal");
    }
  }

private:
  double gain_;
};

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

} // namespace

std::unique_ptr<Probe> tiedProjectionProbe(const plan::Plan&) {
  return std::make_unique<TiedProjection>();
}
std::unique_ptr<Probe> emaProbe(const plan::Plan& p) {
  return std::make_unique<EvaluatesEma>(methodArgument(p, "ema", "half_life"));
}
std::unique_ptr<Probe> swaProbe(const plan::Plan& p) {
  const double start = methodArgument(p, "swa", "start");
  return std::make_unique<EvaluatesSwa>(
      static_cast<int64_t>(start > 1 ? start : start * static_cast<double>(p.training.totalSteps)));
}
std::unique_ptr<Probe> lookaheadProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("lookahead");
  return std::make_unique<SlowWeights>(std::llround(methodArgument(p, m->name, "k")),
                                       methodArgument(p, m->name, "alpha"));
}
std::unique_ptr<Probe> pruningProbe(const plan::Plan& p) {
  return std::make_unique<SparseWeights>(
      methodArgument(p, "gradual_magnitude_pruning", "final_sparsity"));
}
std::unique_ptr<Probe> freezingProbe(const plan::Plan&) {
  return std::make_unique<FrozenUnchanged>();
}
std::unique_ptr<Probe> kaimingProbe(const plan::Plan&) {
  return std::make_unique<KaimingStart>();
}
std::unique_ptr<Probe> orthogonalProbe(const plan::Plan& p) {
  return std::make_unique<OrthogonalStart>(methodArgument(p, "orthogonal_init", "gain"));
}

} // namespace fiver::composition
