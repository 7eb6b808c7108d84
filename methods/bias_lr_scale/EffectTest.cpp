// bias_lr_scale's effect: the composition matrix's probe and recipe line, and
// the method's own tests on a tiny synthetic task (milliseconds each): one
// step moves every bias `scale` times as far as the run without the method
// and every other parameter alike, scale 1 is the run without it, the
// optimizers step the new groups as they step their own, and a resumed run
// finds the group layout it saved.
#include "methods/bias_lr_scale/Hook.h"
#include "runtime/TorchCompat.h"
#include "runtime/data/Dataset.h"
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"
#include "tests/composition/Probe.h"
#include "tests/composition/ProbeSupport.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <unistd.h>

namespace fiver::composition {
namespace {

using runtime::biasParameters;

// The change torch's SGD or AdamW makes to `p` this step, in fp64, from its
// gradient, its state and its group's options; undefined for other optimizers.
torch::Tensor expectedChange(const torch::optim::Optimizer& opt, const torch::Tensor& p,
                             const torch::optim::OptimizerOptions& options) {
  const torch::Tensor w = p.detach().to(torch::kFloat64), g = p.grad().to(torch::kFloat64);
  const auto& state = opt.state();
  auto found = state.find(torchcompat::optimizerStateKey(p));
  if (dynamic_cast<const torch::optim::SGD*>(&opt)) {
    const auto& o = static_cast<const torch::optim::SGDOptions&>(options);
    torch::Tensor d = g + o.weight_decay() * w;
    if (o.momentum() == 0) return -o.lr() * d;
    torch::Tensor buffer = d;
    if (found != state.end()) {
      const auto& s = static_cast<const torch::optim::SGDParamState&>(*found->second);
      buffer = o.momentum() * s.momentum_buffer().to(torch::kFloat64) + (1 - o.dampening()) * d;
    }
    return -o.lr() * (o.nesterov() ? d + o.momentum() * buffer : buffer);
  }
  if (dynamic_cast<const torch::optim::AdamW*>(&opt)) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(options);
    const auto [beta1, beta2] = o.betas();
    torch::Tensor first = torch::zeros_like(w), second = torch::zeros_like(w);
    double t = 1;
    if (found != state.end()) {
      const auto& s = static_cast<const torch::optim::AdamWParamState&>(*found->second);
      first = s.exp_avg().to(torch::kFloat64);
      second = s.exp_avg_sq().to(torch::kFloat64);
      t = static_cast<double>(s.step()) + 1;
    }
    first = beta1 * first + (1 - beta1) * g;
    second = beta2 * second + (1 - beta2) * g * g;
    const torch::Tensor decayed = w * (1 - o.lr() * o.weight_decay());
    const torch::Tensor denom = (second / (1 - std::pow(beta2, t))).sqrt() + o.eps();
    return decayed - o.lr() / (1 - std::pow(beta1, t)) * first / denom - w;
  }
  return torch::Tensor();
}

// Every bias sits in a group of biases only whose rate is `scale` x the rate
// of the group holding the model's first weight matrix, and (torch's SGD and
// AdamW, fused or not) the step it takes is the one those options give.
class ScaledBiasRates : public Probe {
public:
  explicit ScaledBiasRates(double scale) : scale_(scale) {}

  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    steps_.clear();
    const std::vector<torch::Tensor> biases = biasParameters(s.model);
    std::set<const void*> isBias;
    for (const torch::Tensor& b : biases)
      isBias.insert(b.unsafeGetTensorImpl());
    std::map<const void*, size_t> groupOf;
    const auto& groups = s.optimizer.param_groups();
    for (size_t g = 0; g < groups.size(); ++g)
      for (const torch::Tensor& p : groups[g].params())
        groupOf[p.unsafeGetTensorImpl()] = g;
    std::optional<double> rate;
    for (const torch::Tensor& p : s.model->parameters())
      if (p.dim() >= 2 && groupOf.count(p.unsafeGetTensorImpl())) {
        rate = groups[groupOf[p.unsafeGetTensorImpl()]].options().get_lr();
        break;
      }
    const std::string at = "step " + std::to_string(s.step) + ": ";
    expect(rate.has_value() && !biases.empty(), at + "no weight matrix or no bias to compare");
    if (!rate) return;
    for (const torch::Tensor& b : biases) {
      auto found = groupOf.find(b.unsafeGetTensorImpl());
      if (found == groupOf.end()) continue; // not trained
      const auto& group = groups[found->second];
      bool onlyBiases = true;
      for (const torch::Tensor& p : group.params())
        onlyBiases = onlyBiases && isBias.count(p.unsafeGetTensorImpl());
      expect(onlyBiases, at + "a bias shares its group with other parameters");
      const double lr = group.options().get_lr();
      expect(closeRate(lr, scale_ * *rate), at + "a bias trains at " + std::to_string(lr) +
                                                ", not " + std::to_string(scale_) + " x " +
                                                std::to_string(*rate));
      if (!b.grad().defined()) continue;
      torch::Tensor change = expectedChange(s.optimizer, b, group.options());
      if (change.defined()) steps_.push_back({b, b.detach().to(torch::kFloat64), change});
    }
  }

  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterOptimizerStep) return;
    for (const Step& step : steps_) {
      // fp32 weights round their change to about 1e-7 of their size.
      const torch::Tensor moved = step.parameter.detach().to(torch::kFloat64) - step.before;
      const double largest = step.change.abs().max().item<double>();
      const double off = (moved - step.change).abs().max().item<double>();
      const double bound = 1e-3 * largest + 1e-6 * step.before.abs().max().item<double>();
      expect(off <= bound,
             "step " + std::to_string(s.step) + ": a bias moved " + std::to_string(off) +
                 " away from its group's step of largest entry " + std::to_string(largest));
    }
  }

private:
  struct Step {
    torch::Tensor parameter, before, change;
  };
  double scale_;
  std::vector<Step> steps_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "bias_lr_scale",
    "replace training_algorithm static domain bias_lr_scale(scale: 8)",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan& p) -> std::unique_ptr<Probe> {
      return std::make_unique<ScaledBiasRates>(methodArgument(p, "bias_lr_scale", "scale"));
    }});

// --- the method's own tests ---

std::string tinyRecipe(const std::string& line, int64_t steps) {
  return std::string(test::kTinyImagesTask) + R"(recipe t {
  task tiny_images
  model small_cnn(width: 4)
  optimizer sgd(lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 5e-4)
  schedule constant
  batch_size 16
  seed 3
  budget )" +
         std::to_string(steps) + " steps\n" + line + "}\n";
}

plan::Plan compiled(const std::string& line, int64_t steps = 4) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(tinyRecipe(line, steps), diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

std::string scaled(double scale) {
  return "  replace training_algorithm static domain bias_lr_scale(scale: " +
         std::to_string(scale) + ")\n";
}

runtime::TrainOptions quiet(int64_t maxSteps = 0) {
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  o.maxSteps = maxSteps;
  return o;
}

struct Trained {
  std::vector<torch::Tensor> start, end; // the parameters
  std::vector<bool> bias;                // which of them are biases
};

Trained trainRun(const plan::Plan& p, const runtime::TrainOptions& o) {
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::Trainer t(p, o, &data);
  Trained r;
  r.start = copies(t.model()->parameters());
  std::set<const void*> biases;
  for (const torch::Tensor& b : biasParameters(t.model()))
    biases.insert(b.unsafeGetTensorImpl());
  for (const torch::Tensor& p : t.model()->parameters())
    r.bias.push_back(biases.count(p.unsafeGetTensorImpl()) > 0);
  t.fit();
  r.end = copies(t.model()->parameters());
  return r;
}

TEST(BiasLrScaleEffect, FindsTheBiasesOfConvLinearAndBatchNormLayers) {
  const plan::Plan p = compiled("");
  runtime::PlanModel model(p.ops);
  std::set<const void*> biases;
  for (const torch::Tensor& b : biasParameters(model))
    biases.insert(b.unsafeGetTensorImpl());
  int norms = 0, linears = 0;
  for (const plan::Op& op : p.ops) {
    if (op.kind != "bn" && op.kind != "linear" && op.kind != "conv") continue;
    const auto module = model->moduleOf(op.name);
    ASSERT_TRUE(module) << op.name;
    for (const auto& named : module->named_parameters()) {
      const bool bias = named.key() == "bias";
      EXPECT_EQ(biases.count(named.value().unsafeGetTensorImpl()) > 0, bias)
          << op.name << "." << named.key();
      norms += bias && op.kind == "bn";
      linears += bias && op.kind == "linear";
    }
  }
  EXPECT_GT(norms, 0);
  EXPECT_GT(linears, 0);
}

TEST(BiasLrScaleEffect, OneStepMovesTheBiasesScaleTimesAsFarAndTheRestAlike) {
  const Trained without = trainRun(compiled(""), quiet(1));
  const Trained with = trainRun(compiled(scaled(8)), quiet(1));
  ASSERT_EQ(with.end.size(), without.end.size());
  int biases = 0;
  for (size_t i = 0; i < with.end.size(); ++i) {
    ASSERT_TRUE(torch::equal(with.start[i], without.start[i])) << "parameter " << i;
    if (!with.bias[i]) {
      EXPECT_TRUE(torch::equal(with.end[i], without.end[i])) << "parameter " << i;
      continue;
    }
    ++biases;
    const torch::Tensor moved = (with.end[i] - with.start[i]).to(torch::kFloat64);
    const torch::Tensor expected = 8 * (without.end[i] - without.start[i]).to(torch::kFloat64);
    EXPECT_GT(expected.abs().max().item<double>(), 0) << "parameter " << i;
    EXPECT_TRUE(torch::allclose(moved, expected, 1e-4, 1e-7))
        << "parameter " << i << ": moved " << moved << " expected " << expected;
  }
  EXPECT_GT(biases, 0);
}

TEST(BiasLrScaleEffect, WithScaleOneTheRunIsTheRunWithoutIt) {
  const Trained without = trainRun(compiled(""), quiet());
  const Trained with = trainRun(compiled(scaled(1)), quiet());
  for (size_t i = 0; i < with.end.size(); ++i)
    EXPECT_TRUE(torch::equal(with.end[i], without.end[i])) << "parameter " << i;
}

// Three steps of the fused optimizers with and without the regrouping, from
// the same gradients: SGD's and AdamW's steps are linear in the rate when
// nothing decays, so the biases end `scale` times as far from the start.
template <class Fused, class Options> void expectScaledSteps(const Options& options) {
  torch::manual_seed(5);
  auto make = [] {
    std::vector<torch::Tensor> t = {torch::randn({4, 3}), torch::randn({4}), torch::randn({4})};
    for (torch::Tensor& x : t)
      x.requires_grad_();
    return t;
  };
  std::vector<torch::Tensor> a = make(), b = make();
  for (size_t i = 0; i < a.size(); ++i)
    b[i].detach().copy_(a[i].detach());
  auto optimizer = [&](const std::vector<torch::Tensor>& t) {
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<torch::Tensor>{t[0]}, std::make_unique<Options>(options));
    groups.emplace_back(std::vector<torch::Tensor>{t[1], t[2]}, std::make_unique<Options>(options));
    return std::make_unique<Fused>(std::move(groups), options);
  };
  auto plain = optimizer(a), regrouped = optimizer(b);
  const runtime::BiasGroups groups = runtime::separateBiases(*regrouped, {b[2]}, 5);
  ASSERT_EQ(regrouped->param_groups().size(), 3u);
  EXPECT_EQ(groups.reference, 0u);
  ASSERT_EQ(groups.scaled, std::vector<size_t>{2});
  const std::vector<torch::Tensor> start = copies(a);
  for (int step = 0; step < 3; ++step) {
    for (size_t i = 0; i < a.size(); ++i) {
      const torch::Tensor g = torch::randn(a[i].sizes());
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    runtime::scaleBiasRates(*regrouped, groups, 5);
    plain->step();
    regrouped->step();
  }
  EXPECT_TRUE(torch::allclose(b[0], a[0])) << "the weight";
  EXPECT_TRUE(torch::allclose(b[1], a[1])) << "the other vector";
  EXPECT_TRUE(torch::allclose(b[2] - start[2], 5 * (a[2] - start[2]), 1e-4, 1e-6)) << "the bias";
}

TEST(BiasLrScaleEffect, TheFusedOptimizersStepANewGroupAtItsRate) {
  expectScaledSteps<runtime::FusedSgd>(torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true));
  expectScaledSteps<runtime::FusedAdamW>(torch::optim::AdamWOptions(0.01).weight_decay(0));
}

TEST(BiasLrScaleEffect, DecayIsDividedSoThatRateTimesDecayStays) {
  torch::Tensor w = torch::randn({3, 2}).requires_grad_(), b = torch::randn({3}).requires_grad_();
  const auto o = torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4);
  runtime::FusedSgd sgd(std::vector<torch::Tensor>{w, b}, o); // one group: both decay
  const runtime::BiasGroups groups = runtime::separateBiases(sgd, {b}, 64);
  runtime::scaleBiasRates(sgd, groups, 64);
  const auto& weights =
      static_cast<const torch::optim::SGDOptions&>(sgd.param_groups()[0].options());
  const auto& biases =
      static_cast<const torch::optim::SGDOptions&>(sgd.param_groups()[1].options());
  EXPECT_EQ(sgd.param_groups()[0].params().size(), 1u);
  EXPECT_DOUBLE_EQ(biases.lr(), 64 * weights.lr());
  EXPECT_DOUBLE_EQ(biases.lr() * biases.weight_decay(), weights.lr() * weights.weight_decay());
  EXPECT_EQ(biases.momentum(), weights.momentum());
}

TEST(BiasLrScaleEffect, AResumedRunEndsWithTheUninterruptedWeights) {
  namespace fs = std::filesystem;
  const plan::Plan p = compiled(scaled(16), 10);
  const fs::path dir = fs::temp_directory_path() / ("fiver-bias-lr-" + std::to_string(getpid()));
  fs::remove_all(dir);
  runtime::TrainOptions o = quiet();
  o.outDir = dir.string();
  o.resume = true;
  runtime::TrainOptions part = o;
  part.maxSteps = 4;
  trainRun(p, part); // saves its checkpoint at its end
  ASSERT_TRUE(fs::exists(dir / "checkpoint.pt"));
  const Trained resumed = trainRun(p, o);
  const Trained straight = trainRun(p, quiet());
  for (size_t i = 0; i < straight.end.size(); ++i)
    EXPECT_TRUE(torch::equal(resumed.end[i], straight.end[i])) << "parameter " << i;
  fs::remove_all(dir);
}

} // namespace
} // namespace fiver::composition
