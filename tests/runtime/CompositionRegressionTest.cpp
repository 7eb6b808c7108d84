// Compositions that once trained the wrong thing without a word: each test
// states what the pair must do together, computed independently of the
// trainer where it can be.
#include "methods/augmentation_multiplicity/Hook.h"
#include "methods/batch_size_warmup/Hook.h"
#include "methods/bce_for_mixup/Hook.h"
#include "methods/channels_last/Hook.h"
#include "methods/colout/Hook.h"
#include "methods/curriculum/Hook.h"
#include "methods/cutmix/Hook.h"
#include "methods/cutout/Hook.h"
#include "methods/data_echoing/Hook.h"
#include "methods/data_pruning/Hook.h"
#include "methods/ema/Hook.h"
#include "methods/flip_tta/Hook.h"
#include "methods/label_smoothing/Hook.h"
#include "methods/layer_freezing/Hook.h"
#include "methods/mixup/Hook.h"
#include "methods/progressive_resize/Hook.h"
#include "methods/selective_backprop/Hook.h"
#include "methods/seq_length_warmup/Hook.h"
#include "methods/stochastic_depth/Hook.h"
#include "methods/swa/Hook.h"
#include "runtime/data/Dataset.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace fiver::runtime {
namespace {

using plan::Scalar;
using testing::addMethod;
using testing::opNamed;
using testing::tinyCnnPlan;

using LossOf = std::function<torch::Tensor(const torch::Tensor& logits, const torch::Tensor& y)>;

TrainOptions quietOptions() {
  TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.evalEachEpoch = false;
  return o;
}

// One step of plain SGD (no momentum, no decay) on one batch holding the
// whole training split, so the expected update can be computed by hand.
plan::Plan oneFullBatchStep() {
  plan::Plan p = tinyCnnPlan({.trainSize = 32, .batchSize = 32, .totalSteps = 1});
  p.optimizer.params["momentum"] = Scalar::num(0);
  p.optimizer.params["nesterov"] = Scalar::num(0);
  p.optimizer.params["weight_decay"] = Scalar::num(0);
  return p;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : tensors)
    out.push_back(t.detach().clone());
  return out;
}

void assign(const std::vector<torch::Tensor>& into, const std::vector<torch::Tensor>& from) {
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < into.size(); ++i)
    into[i].copy_(from[i]);
}

std::vector<torch::Tensor> gradientOf(PlanModel& model, const LossOf& loss, const torch::Tensor& x,
                                      const torch::Tensor& y) {
  return torch::autograd::grad({loss(model->forward(x), y)}, model->parameters());
}

// SAM by hand: the gradient at w + rho g / |g|, where g is the gradient at w,
// both of `loss`; then w - lr * that gradient.
std::vector<torch::Tensor> samStepByHand(PlanModel& model, const LossOf& loss,
                                         const torch::Tensor& x, const torch::Tensor& y, double rho,
                                         double lr) {
  const std::vector<torch::Tensor> w = copies(model->parameters());
  std::vector<torch::Tensor> g = gradientOf(model, loss, x, y);
  double squares = 0;
  for (const torch::Tensor& gi : g)
    squares += gi.pow(2).sum().item<double>();
  const double scale = rho / (std::sqrt(squares) + 1e-12);
  std::vector<torch::Tensor> perturbed;
  for (size_t i = 0; i < w.size(); ++i)
    perturbed.push_back(w[i] + scale * g[i]);
  assign(model->parameters(), perturbed);
  std::vector<torch::Tensor> atPerturbed = gradientOf(model, loss, x, y);
  assign(model->parameters(), w);
  std::vector<torch::Tensor> next;
  for (size_t i = 0; i < w.size(); ++i)
    next.push_back(w[i] - lr * atPerturbed[i]);
  return next;
}

double maxDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

// Trains `p` for its one step and compares the weights with samStepByHand
// under `loss` (which the update must use) and `plainLoss` (which it must not).
void expectSamStepUses(const plan::Plan& p, const LossOf& loss, const LossOf& plainLoss) {
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  const std::vector<torch::Tensor> w0 = copies(trainer.model()->parameters());
  const std::vector<torch::Tensor> buffers = copies(trainer.model()->buffers());
  trainer.fit();
  const std::vector<torch::Tensor> trained = copies(trainer.model()->parameters());

  PlanModel& model = trainer.model();
  assign(model->parameters(), w0);
  assign(model->buffers(), buffers);
  model->train();
  const torch::Tensor &x = data.train.images, &y = data.train.labels;
  const double rho = p.findMethod("sam")->params.at("rho").number;
  const double lr = p.optimizer.params.at("lr").number;
  const std::vector<torch::Tensor> expected = samStepByHand(model, loss, x, y, rho, lr);
  const std::vector<torch::Tensor> unshaped = samStepByHand(model, plainLoss, x, y, rho, lr);
  ASSERT_GT(maxDifference(expected, unshaped), 1e-4) << "the two losses must lead apart";
  EXPECT_LT(maxDifference(trained, expected), 1e-5);
}

torch::Tensor crossEntropy(const torch::Tensor& logits, const torch::Tensor& y) {
  return torch::nn::functional::cross_entropy(logits, y);
}

} // namespace

// SAM's second pass used to run after label smoothing had restored its
// setting: the applied gradient ignored the smoothing.
TEST(CompositionRegression, SamsSecondPassUsesTheSmoothedLoss) {
  plan::Plan p = oneFullBatchStep();
  addMethod(p, "label_smoothing", {{"smoothing", Scalar::num(0.4)}});
  addMethod(p, "sam", {{"rho", Scalar::num(0.5)}});
  const LossOf smoothed = [](const torch::Tensor& logits, const torch::Tensor& y) {
    namespace F = torch::nn::functional;
    return F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().label_smoothing(0.4));
  };
  expectSamStepUses(p, smoothed, crossEntropy);
}

// The same for bce_for_mixup, whose loss replaced the trainer's only on the
// first pass.
TEST(CompositionRegression, SamsSecondPassUsesTheBinaryCrossEntropy) {
  plan::Plan p = oneFullBatchStep();
  addMethod(p, "bce_for_mixup", {{"smoothing", Scalar::num(0.1)}, {"threshold", Scalar::num(0)}});
  addMethod(p, "sam", {{"rho", Scalar::num(0.5)}});
  const LossOf bce = [](const torch::Tensor& logits, const torch::Tensor& y) {
    return binaryCrossEntropyLoss(logits, torch::one_hot(y, logits.size(1)), 0.1, 0);
  };
  expectSamStepUses(p, bce, crossEntropy);
}

// In the order the checker gives them (sam's phase, gradient, comes before
// clipping's, gradient_transform), the optimizer applies a clipped gradient
// even though sam replaced the first one: one SGD step moves by lr * max_norm.
TEST(CompositionRegression, ClippingBoundsTheGradientSamRecomputed) {
  plan::Plan p = oneFullBatchStep();
  addMethod(p, "sam", {{"rho", Scalar::num(0.5)}});
  addMethod(p, "gradient_clipping",
            {{"mode", Scalar::str("norm")}, {"max_norm", Scalar::num(1e-3)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  const std::vector<torch::Tensor> w0 = copies(trainer.model()->parameters());
  trainer.fit();
  double squares = 0;
  const std::vector<torch::Tensor> w1 = trainer.model()->parameters();
  for (size_t i = 0; i < w0.size(); ++i)
    squares += (w1[i] - w0[i]).pow(2).sum().item<double>();
  const double lr = p.optimizer.params.at("lr").number;
  EXPECT_NEAR(std::sqrt(squares), lr * 1e-3, lr * 1e-5);
}

// SWA's statistics recompute used to reset every batch norm, while a norm
// that layer_freezing had folded into its conv is skipped by the forward
// pass: it kept mean 0 and variance 1 and every SWA evaluation was wrong.
TEST(CompositionRegression, SwaRecomputesTheStatisticsOfFoldedBatchNorms) {
  plan::Plan p = tinyCnnPlan({.trainSize = 128, .batchSize = 32, .totalSteps = 6});
  for (const char* name : {"conv1", "bn1"})
    opNamed(p, name).freezeStep = 2;
  opNamed(p, "conv1").attrs["fold_bn"] = Scalar::str("bn1");
  opNamed(p, "bn1").attrs["folded_into"] = Scalar::str("conv1");
  addMethod(p, "layer_freezing");
  addMethod(p, "swa", {{"start", Scalar::num(0)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  trainer.fit();
  PlanModel& model = trainer.model();
  ASSERT_TRUE(model->isFolded("conv1"));
  auto* bn1 = dynamic_cast<torch::nn::BatchNorm2dImpl*>(model->moduleOf("bn1").get());
  ASSERT_NE(bn1, nullptr);
  const torch::Tensor liveMean = bn1->running_mean.clone();

  Swa* swa = nullptr;
  for (const auto& m : trainer.methods())
    if (auto* found = dynamic_cast<Swa*>(m.get())) swa = found;
  ASSERT_NE(swa, nullptr);
  swa->apply(Event::EvalStart, trainer.state());
  const torch::Tensor evalMean = bn1->running_mean.clone(), evalVar = bn1->running_var.clone();
  // The averaged weights' own statistics: neither the reset values nor the live ones.
  EXPECT_GT(evalMean.abs().max().item<double>(), 1e-3);
  EXPECT_GT((evalVar - 1).abs().max().item<double>(), 1e-3);
  EXPECT_FALSE(torch::allclose(evalMean, liveMean));
  EXPECT_TRUE(model->isFolded("conv1")) << "the conv must stay folded for evaluation";
  swa->apply(Event::EvalEnd, trainer.state());
  EXPECT_TRUE(torch::equal(bn1->running_mean, liveMean));
}

// selective_backprop's scoring forward ran in training mode and moved every
// batch norm's running statistics a second time each step (on the whole
// batch, before the training pass moved them on the kept examples).
TEST(CompositionRegression, SelectiveBackpropUpdatesBatchNormStatisticsOncePerStep) {
  plan::Plan p = tinyCnnPlan({.trainSize = 64, .batchSize = 32, .totalSteps = 2});
  addMethod(p, "selective_backprop",
            {{"keep", Scalar::num(0.5)},
             {"start", Scalar::num(0)},
             {"end", Scalar::num(1)},
             {"interrupt", Scalar::num(0)}});
  Dataset data = loadDataset(p.task, p.training.seed);
  Trainer trainer(p, quietOptions(), &data);
  trainer.fit();
  int norms = 0;
  for (const auto& m : trainer.model()->modules(/*include_self=*/false))
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      ++norms;
      EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2) << "two steps, two updates";
    }
  EXPECT_GT(norms, 0);
}

} // namespace fiver::runtime
