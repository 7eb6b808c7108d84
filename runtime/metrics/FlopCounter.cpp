#include "runtime/metrics/FlopCounter.h"

#include "compiler/plan/OpCost.h"

#include <algorithm>

namespace fiver::runtime {

namespace {

bool usesLayerFreezing(const plan::Plan& p) {
  for (const plan::Method& m : p.methods)
    if (std::find(m.hooks.begin(), m.hooks.end(), "layer_freezing") != m.hooks.end()) return true;
  return false;
}

} // namespace

FlopCounter::FlopCounter(const plan::Plan& plan) {
  const std::vector<int64_t>& input = plan.task.inputShape;
  if (input.size() == 3) fullArea_ = static_cast<double>(std::max<int64_t>(1, input[1] * input[2]));
  // Every op of a sequence model scales with the sequence length (linearly:
  // attention's quadratic term is counted at its full-length share).
  const bool sequence = input.size() == 1;
  if (sequence) fullArea_ = static_cast<double>(std::max<int64_t>(1, input[0]));
  // Freeze steps only take effect when the layer_freezing hook runs.
  const bool freezing = usesLayerFreezing(plan);
  const std::vector<plan::OpCost> costs = plan::planOpCosts(plan, 1);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const plan::Op& op = plan.ops[i];
    OpShare s;
    s.inputs = op.inputs;
    s.ownParameters = costs[i].parameters > 0;
    s.freezeStep = freezing ? op.freezeStep : -1;
    if (op.kind != "input") {
      s.forward = costs[i].forwardFlops;
      s.backward = costs[i].backwardFlops;
    }
    s.spatial = sequence || op.shape.size() == 3;
    for (int in : op.inputs)
      if (in >= 0 && static_cast<size_t>(in) < plan.ops.size() &&
          plan.ops[static_cast<size_t>(in)].shape.size() == 3)
        s.spatial = true;
    ops_.push_back(std::move(s));
  }
}

double FlopCounter::stepFlops(int64_t images, int64_t height, int64_t width, int64_t step) const {
  const double area = static_cast<double>(height * width) / fullArea_;
  // An op needs a backward pass when it, or an op before it, still trains.
  std::vector<bool> trains(ops_.size(), false);
  double perImage = 0;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const OpShare& op = ops_[i];
    const bool frozen = op.freezeStep >= 0 && step >= op.freezeStep;
    bool upstream = false;
    for (int in : op.inputs)
      if (in >= 0 && static_cast<size_t>(in) < i) upstream = upstream || trains[in];
    trains[i] = (op.ownParameters && !frozen) || upstream;
    const double scale = op.spatial ? area : 1.0;
    perImage += scale * (op.forward + (trains[i] ? op.backward : 0));
  }
  return perImage * static_cast<double>(images);
}

void FlopCounter::addStep(int64_t images, int64_t height, int64_t width, int64_t step,
                          int64_t passes) {
  total_ +=
      static_cast<double>(std::max<int64_t>(1, passes)) * stepFlops(images, height, width, step);
}

void FlopCounter::addPlannedSteps(const plan::Plan& plan, int64_t steps) {
  const std::vector<int64_t>& input = plan.task.inputShape;
  if (input.size() != 3 && input.size() != 1) return;
  const bool sequence = input.size() == 1;
  for (int64_t step = 0; step < steps; ++step) {
    int64_t height = sequence ? input[0] : input[1], width = sequence ? 1 : input[2];
    for (const plan::ResolutionStage& s : plan.resolution)
      if (s.startStep <= step) {
        height = s.height;
        width = s.width;
      }
    addStep(plan.training.batchSize, height, width, step);
  }
}

double flopsPerSecond(double flops, double seconds) {
  return seconds > 0 ? flops / seconds : 0;
}

double modelFlopsUtilization(double achievedFlopsPerSecond, double peakFlopsPerSecond) {
  return peakFlopsPerSecond > 0 ? achievedFlopsPerSecond / peakFlopsPerSecond : 0;
}

} // namespace fiver::runtime
