#include "runtime/metrics/FlopCounter.h"

#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"

#include <algorithm>

namespace fiver::runtime {

const char* flopKindName(FlopKind kind) {
  switch (kind) {
  case FlopKind::Step:
    return "step";
  case FlopKind::Scoring:
    return "scoring";
  case FlopKind::Sweep:
    return "sweep";
  case FlopKind::Averaging:
    return "averaging";
  case FlopKind::Evaluation:
    return "evaluation";
  case FlopKind::Count:
    break;
  }
  return "?";
}

FlopCounter::FlopCounter(const plan::Plan& plan) {
  const std::vector<int64_t>& input = plan.task.inputShape;
  if (input.size() == 3) fullArea_ = static_cast<double>(std::max<int64_t>(1, input[1] * input[2]));
  // Every op of a sequence model scales with the sequence length (linearly:
  // attention's quadratic term is counted at its full-length share).
  const bool sequence = input.size() == 1;
  if (sequence) fullArea_ = static_cast<double>(std::max<int64_t>(1, input[0]));
  const std::vector<plan::OpCost> costs = plan::planOpCosts(plan, 1);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const plan::Op& op = plan.ops[i];
    OpShare s;
    s.inputs = op.inputs;
    s.ownParameters = costs[i].parameters > 0;
    parameters_ += costs[i].parameters;
    s.planFreezeStep = op.freezeStep;
    // As PlanModel reads it: two different inputs, the earlier one the skip.
    s.residualAdd = plan::isKind(op.kind, plan::OpKind::Add) && op.inputs.size() == 2 &&
                    op.inputs[0] != op.inputs[1];
    if (!plan::isKind(op.kind, plan::OpKind::Input)) {
      s.forward = costs[i].forwardFlops;
      s.backward = costs[i].backwardFlops;
      // activation_checkpointing: the op's forward runs again in backward.
      if (plan::getNumber(op.attrs, "recompute", 0) > 0) s.backward += s.forward;
    }
    s.spatial = sequence || op.shape.size() == 3;
    for (int in : op.inputs)
      if (in >= 0 && static_cast<size_t>(in) < plan.ops.size() &&
          plan.ops[static_cast<size_t>(in)].shape.size() == 3)
        s.spatial = true;
    ops_.push_back(std::move(s));
  }
}

double FlopCounter::areaOf(int64_t height, int64_t width) const {
  return static_cast<double>(height * width) / fullArea_;
}

template <typename Frozen>
double FlopCounter::passFlops(double area, bool backward, const std::set<int>& dropped,
                              Frozen frozen) const {
  const size_t n = ops_.size();
  if (n == 0) return 0;
  // Walks back from the output, as the model does: a dropped residual add
  // needs only its skip input, so its branch never runs.
  std::vector<bool> needed(n, false);
  needed.back() = true;
  for (size_t i = n; i-- > 0;) {
    if (!needed[i]) continue;
    const OpShare& op = ops_[i];
    if (op.residualAdd && dropped.count(static_cast<int>(i)))
      needed[static_cast<size_t>(std::min(op.inputs[0], op.inputs[1]))] = true;
    else
      for (int in : op.inputs)
        if (in >= 0 && static_cast<size_t>(in) < n) needed[static_cast<size_t>(in)] = true;
  }
  // An op needs a backward pass when it, or an op before it, still trains.
  std::vector<bool> trains(n, false);
  double perImage = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!needed[i]) continue;
    const OpShare& op = ops_[i];
    bool upstream = false;
    for (int in : op.inputs)
      if (in >= 0 && static_cast<size_t>(in) < i) upstream = upstream || trains[in];
    trains[i] = (op.ownParameters && !frozen(i)) || upstream;
    if (op.residualAdd && dropped.count(static_cast<int>(i))) continue; // passes its input on
    const double scale = op.spatial ? area : 1.0;
    perImage += scale * (op.forward + (backward && trains[i] ? op.backward : 0));
  }
  return perImage;
}

double FlopCounter::forwardFlops(int64_t images, int64_t height, int64_t width) const {
  return passFlops(areaOf(height, width), false, {}, [](size_t) { return false; }) *
         static_cast<double>(images);
}

double FlopCounter::trainingPassFlops(int64_t images, int64_t height, int64_t width) const {
  return passFlops(areaOf(height, width), true, {}, [](size_t) { return false; }) *
         static_cast<double>(images);
}

double FlopCounter::stepFlops(int64_t images, int64_t height, int64_t width) const {
  return passFlops(areaOf(height, width), true, droppedBranches_,
                   [this](size_t i) { return ops_[i].frozen; }) *
         static_cast<double>(images);
}

void FlopCounter::freeze(int op) {
  if (op >= 0 && static_cast<size_t>(op) < ops_.size()) ops_[static_cast<size_t>(op)].frozen = true;
}

void FlopCounter::dropBranches(std::set<int> adds) {
  droppedBranches_ = std::move(adds);
}

void FlopCounter::charge(FlopKind kind, double flops) {
  if (kind != FlopKind::Count) byKind_[static_cast<size_t>(kind)] += flops;
}

void FlopCounter::addStep(int64_t images, int64_t height, int64_t width, int64_t passes) {
  charge(FlopKind::Step,
         static_cast<double>(std::max<int64_t>(1, passes)) * stepFlops(images, height, width));
  droppedBranches_.clear(); // a drop lasts one step
}

double FlopCounter::training() const {
  double sum = 0;
  for (size_t k = 0; k < byKind_.size(); ++k)
    if (static_cast<FlopKind>(k) != FlopKind::Evaluation) sum += byKind_[k];
  return sum;
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
    const double perImage = passFlops(areaOf(height, width), true, {}, [&](size_t i) {
      return ops_[i].planFreezeStep >= 0 && step >= ops_[i].planFreezeStep;
    });
    charge(FlopKind::Step, perImage * static_cast<double>(plan.training.batchSize));
  }
}

double flopsPerSecond(double flops, double seconds) {
  return seconds > 0 ? flops / seconds : 0;
}

double modelFlopsUtilization(double achievedFlopsPerSecond, double peakFlopsPerSecond) {
  return peakFlopsPerSecond > 0 ? achievedFlopsPerSecond / peakFlopsPerSecond : 0;
}

} // namespace fiver::runtime
