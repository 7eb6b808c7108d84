#include "methods/lr_range_test/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "runtime/data/BatchLoader.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/train/FlopCharges.h"
#include "runtime/train/Loss.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace fiver::runtime {

namespace {
constexpr double kSmoothing = 0.98;
// The sweep stops once the smoothed loss exceeds this multiple of its minimum:
// past it the loss has exploded and later rates say nothing more.
constexpr double kDivergence = 4.0;

// Weights, batch-norm statistics, optimizer state and learning rates, and the
// CPU generator, as they were before the sweep.
struct Snapshot {
  explicit Snapshot(TrainState& s) {
    torch::NoGradGuard noGrad;
    for (const torch::Tensor& t : s.model->parameters())
      tensors.push_back(t.detach().clone());
    for (const torch::Tensor& t : s.model->buffers())
      tensors.push_back(t.detach().clone());
    torch::serialize::OutputArchive archive;
    s.optimizer.save(archive);
    archive.save_to(optimizerBytes);
    for (auto& group : s.optimizer.param_groups())
      lrs.push_back(group.options().get_lr());
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    rng = generator.get_state();
  }
  void restore(TrainState& s) {
    torch::NoGradGuard noGrad;
    size_t i = 0;
    for (torch::Tensor& t : s.model->parameters()) {
      t.copy_(tensors[i++]);
      t.mutable_grad() = torch::Tensor();
    }
    for (torch::Tensor& t : s.model->buffers())
      t.copy_(tensors[i++]);
    s.optimizer.state().clear();
    torch::serialize::InputArchive archive;
    std::istringstream in(optimizerBytes.str());
    archive.load_from(in);
    s.optimizer.load(archive);
    for (size_t g = 0; g < lrs.size(); ++g)
      s.optimizer.param_groups()[g].options().set_lr(lrs[g]);
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(rng);
  }
  std::vector<torch::Tensor> tensors;
  std::ostringstream optimizerBytes;
  std::vector<double> lrs;
  torch::Tensor rng;
};
} // namespace

double rangeTestLearningRate(int64_t step, int64_t length, double minLr, double maxLr) {
  if (length < 2) return minLr;
  const double t = static_cast<double>(step) / static_cast<double>(length - 1);
  return minLr * std::pow(maxLr / minLr, t);
}

double pickLearningRate(const LrRangeCurve& c, const std::string& pick) {
  const size_t n = c.smoothedLosses.size();
  if (n == 0) throw std::runtime_error("lr_range_test: the sweep recorded no loss");
  if (pick == "min_div_10") {
    size_t best = 0;
    for (size_t i = 1; i < n; ++i)
      if (c.smoothedLosses[i] < c.smoothedLosses[best]) best = i;
    return c.lrs[best] / 10;
  }
  if (pick != "steepest")
    throw std::runtime_error("lr_range_test: unknown pick '" + pick +
                             "' (known: steepest, min_div_10)");
  if (n < 2) return c.lrs[0];
  // Slope per log-rate between neighbours; the steepest descent wins.
  size_t best = 0;
  double bestSlope = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i + 1 < n; ++i) {
    const double slope =
        (c.smoothedLosses[i + 1] - c.smoothedLosses[i]) / std::log(c.lrs[i + 1] / c.lrs[i]);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return c.lrs[best];
}

LrRangeTest::LrRangeTest(int64_t lengthSteps, double minLr, double maxLr, std::string pick)
    : length_(lengthSteps), minLr_(minLr), maxLr_(maxLr), pick_(std::move(pick)) {
  if (length_ < 2) throw std::runtime_error("lr_range_test: length must be at least 2 steps");
  if (!(minLr_ > 0) || !(maxLr_ > minLr_))
    throw std::runtime_error("lr_range_test: needs 0 < min_lr < max_lr");
  if (pick_ != "steepest" && pick_ != "min_div_10")
    throw std::runtime_error("lr_range_test: unknown pick '" + pick_ +
                             "' (known: steepest, min_div_10)");
}

namespace {
// The batch fields a sweep step overwrites, put back once the sweep is done.
struct BatchView {
  torch::Tensor images, labels, targets, output, loss;
  static BatchView of(const TrainState& s) {
    return {s.images, s.labels, s.targets, s.output, s.loss};
  }
  void restore(TrainState& s) const {
    s.images = images, s.labels = labels, s.targets = targets, s.output = output, s.loss = loss;
  }
};

// The sweep's loss is the training loss, loss-phase methods included, so the
// rate it picks is the one for the objective that actually trains.
torch::Tensor sweepLoss(TrainState& s, const torch::Tensor& x, const torch::Tensor& y) {
  if (!s.updateLoss) return meanCrossEntropy(s.model->forward(x), y);
  s.images = x, s.labels = y, s.targets = torch::Tensor();
  s.output = s.model->forward(x);
  return s.updateLoss();
}
} // namespace

void LrRangeTest::apply(Event, TrainState& s) {
  if (!s.loader) throw std::runtime_error("lr_range_test: needs the trainer's batch loader");
  if (!s.setPeakLearningRate)
    throw std::runtime_error("lr_range_test: the trainer offers no way to set the peak rate");
  // A resumed run keeps the rate chosen before the interruption.
  if (auto found = s.findings.find("lr_range_test.lr"); found != s.findings.end()) {
    chosen_ = found->second;
    s.setPeakLearningRate(chosen_);
    return;
  }
  Snapshot before(s);
  const BatchView trainerBatch = BatchView::of(s);
  // Its own loader over the training split: the trainer's epoch order is untouched.
  BatchLoader loader(s.loader->split(), s.loader->batchSize(), s.loader->seed() + 1);
  int64_t epoch = 0;
  loader.startEpoch(epoch);
  curve_ = {};
  double average = 0, best = std::numeric_limits<double>::infinity();
  for (int64_t step = 0; step < length_; ++step) {
    torch::Tensor x, y;
    if (!loader.next(x, y)) {
      loader.startEpoch(++epoch);
      if (!loader.next(x, y))
        throw std::runtime_error("lr_range_test: the training split is empty");
    }
    const double lr = rangeTestLearningRate(step, length_, minLr_, maxLr_);
    setLearningRate(s.optimizer, lr);
    for (auto& group : s.optimizer.param_groups())
      for (torch::Tensor& p : group.params())
        p.mutable_grad() = torch::Tensor();
    torch::Tensor loss = sweepLoss(s, x, y);
    loss.backward();
    chargeTrainingPass(s, FlopKind::Sweep, x);
    s.optimizer.step();
    const double value = loss.item<double>();
    average = kSmoothing * average + (1 - kSmoothing) * value;
    const double smoothed = average / (1 - std::pow(kSmoothing, static_cast<double>(step + 1)));
    if (!std::isfinite(smoothed) || smoothed > kDivergence * best) break;
    best = std::min(best, smoothed);
    curve_.lrs.push_back(lr);
    curve_.smoothedLosses.push_back(smoothed);
  }
  before.restore(s);
  trainerBatch.restore(s);
  chosen_ = pickLearningRate(curve_, pick_);
  s.setPeakLearningRate(chosen_);
  s.findings["lr_range_test.lr"] = chosen_;
  s.findings["lr_range_test.steps"] = static_cast<double>(curve_.lrs.size());
}

namespace {
const HookRegistrar kHook("lr_range_test", [](const MethodArgs& args) {
  // `length` arrives in steps (durations are lowered to steps).
  return std::make_unique<LrRangeTest>(args.integer("length"), args.number("min_lr"),
                                       args.number("max_lr"), args.name("pick"));
});
} // namespace

} // namespace fiver::runtime
