#include "runtime/model/PlanModel.h"
#include "runtime/model/ResidualSkip.h"

#include "runtime/model/OpBuilders.h"
#include "runtime/model/RecomputedSegment.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace fiver::runtime {

PlanModelImpl::PlanModelImpl(const std::vector<plan::Op>& ops)
    : ops_(ops), skipOf_(ops.size(), -1), slot_(ops.size(), -1), tied_(ops.size(), false) {
  for (size_t i = 0; i < ops_.size(); ++i) {
    const plan::Op& op = ops_[i];
    std::optional<plan::OpKind> kind = plan::opKindFromName(op.kind);
    if (!kind)
      throw std::runtime_error("the plan has an op of kind '" + op.kind +
                               "', which this runtime cannot execute");
    kinds_.push_back(*kind);
    opIndex_[op.name] = static_cast<int>(i);
  }
  for (int add : residualAdds())
    skipOf_[add] = residualSkipInput(ops_, static_cast<size_t>(add));
  for (size_t i = 0; i < ops_.size(); ++i) {
    mixed_ |= ops_[i].dtype != "fp32";
    opRuntime(kinds_[i]).build(*this, i);
  }
}

std::vector<torch::Tensor> PlanModelImpl::parametersOf(const std::string& opName) {
  auto it = modules_.find(opName);
  if (it == modules_.end()) return {};
  std::vector<torch::Tensor> params = it->second->parameters();
  if (auto tied = std::dynamic_pointer_cast<TiedLinearImpl>(it->second))
    params.insert(params.begin(), tied->weight());
  return params;
}

const torch::Tensor& PlanModelImpl::tiedWeight(const std::string& linearName) const {
  auto at = opIndex_.find(linearName);
  if (at == opIndex_.end() || !tied_[static_cast<size_t>(at->second)])
    throw std::runtime_error("'" + linearName + "' is not a tied linear op");
  return tiedLinears_[static_cast<size_t>(slot_[at->second])]->weight();
}

std::vector<torch::Tensor> PlanModelImpl::stateTensors() {
  std::vector<torch::Tensor> state = parameters();
  for (const torch::Tensor& b : buffers())
    state.push_back(b);
  return state;
}

std::shared_ptr<torch::nn::Module> PlanModelImpl::moduleOf(const std::string& opName) {
  auto it = modules_.find(opName);
  return it == modules_.end() ? nullptr : it->second;
}

namespace {
// Profiling one op of the forward pass: when its scope ends (an op can end
// early, through several returns), its time is added, and a hook on its
// output will report when that output's gradient is complete. An op that
// passes an input through unchanged gets no hook: the gradient is its input's.
class OpProbe {
public:
  OpProbe(OpTimes* times, size_t op, const std::vector<torch::Tensor>& values,
          const std::vector<int>& inputs)
      : times_(times), op_(op), values_(values), inputs_(inputs) {
    if (times_) start_ = times_->now();
  }
  ~OpProbe() {
    if (!times_) return;
    times_->addForward(op_, start_);
    const torch::Tensor& out = values_[op_];
    if (!out.defined() || !out.requires_grad()) return;
    for (int in : inputs_)
      if (values_[in].unsafeGetTensorImpl() == out.unsafeGetTensorImpl()) return;
    out.register_hook(
        [times = times_, op = op_](const torch::Tensor&) { times->gradientArrived(op); });
  }

private:
  OpTimes* times_;
  size_t op_;
  const std::vector<torch::Tensor>& values_;
  const std::vector<int>& inputs_;
  OpTimes::Clock::time_point start_;
};

// The ops of one checkpointed segment (activation_checkpointing): a run of
// consecutive ops with the same `recompute` number.
struct Segment {
  size_t begin = 0, end = 0;
};

int recomputeSegment(const plan::Op& op) {
  return static_cast<int>(plan::getNumber(op.attrs, "recompute", 0));
}

} // namespace

torch::Tensor PlanModelImpl::forward(const torch::Tensor& input) {
  if (is_training()) lastInputSize = input.sizes().vec();
  // Branch drops are a training-time regularizer; evaluation runs every op.
  const bool drops = is_training() && !droppedBranches_.empty();
  std::vector<bool> needed = neededOps(drops);
  std::vector<torch::Tensor> values(ops_.size());
  OpTimes* const timing =
      opTimes_ && opTimes_->timingForward() && is_training() ? opTimes_ : nullptr;
  bool autocastUsed = false;
  // Runs op i on `vals`, the outputs of the ops before it; `times` is null
  // when the op is not timed (a recomputation in the backward pass).
  auto runOp = [this, drops, input](size_t i, std::vector<torch::Tensor>& vals, OpTimes* times,
                                    bool& usedAutocast) {
    const plan::Op& op = ops_[i];
    OpProbe probe(times, i, vals, op.inputs);
    // Mixed precision: each op computes in its planned dtype; an fp32 op
    // (a norm) inside a 16-bit model reads fp32.
    const bool lowPrecision = op.dtype != "fp32" && autocastSupported(op.dtype, input);
    if (op.dtype != "fp32" && !lowPrecision && precisionNote_.empty()) {
      precisionNote_ = "mixed precision: this LibTorch has no " + op.dtype + " autocast on " +
                       (input.is_cuda() ? "CUDA" : "the CPU") + "; those ops run in fp32";
      std::cerr << "5rc-exec: " << precisionNote_ << "\n";
    }
    usedAutocast |= lowPrecision;
    std::optional<AutocastRegion> region;
    if (mixed_) region.emplace(lowPrecision, op.dtype, input);
    // Batch norm reads a bf16 batch as it is: its kernel accumulates the
    // statistics in fp32 against fp32 parameters and running buffers, and
    // skipping the round trip through fp32 makes norm + ReLU about 3.5x
    // faster on the CPU (forward and backward of a 128x32x14x14 batch: 1.2
    // against 4.4 ms), so conv -> pool -> bn -> relu stays in bf16.
    const plan::OpKind kind = kinds_[i];
    const bool readsBf16 = kind == plan::OpKind::BatchNorm && mixed_ && !input.is_cuda();
    if (mixed_ && !lowPrecision && kind != plan::OpKind::Input && !readsBf16)
      for (int in : op.inputs)
        if (vals[in].defined() && vals[in].is_floating_point() &&
            vals[in].scalar_type() != torch::kFloat32) // token ids stay int64
          vals[in] = vals[in].to(torch::kFloat32);
    if (drops && isDroppedBranch(i)) {
      vals[i] = vals[skipInput(i)];
      return;
    }
    vals[i] = opRuntime(kind).run(OpRun{*this, i, op, vals, input});
  };
  // A checkpointed segment: its inputs are the values it reads from ops
  // before it, its outputs those that later ops (or the model's output) read.
  // Neither pass times its ops; the profile then shows the segment's time
  // (both forwards) in the backward phase.
  // What op j reads in this pass: a dropped residual add only its skip.
  auto readsOf = [&](size_t j) {
    return drops && isDroppedBranch(j) ? std::vector<int>{skipInput(j)} : ops_[j].inputs;
  };
  auto runCheckpointed = [&](const Segment& seg) {
    auto inSegment = [&](size_t j) { return j >= seg.begin && j < seg.end; };
    std::vector<int> inputIds, outputIds;
    std::vector<torch::Tensor> parameters, buffers;
    for (size_t j = seg.begin; j < seg.end; ++j) {
      if (!needed[j]) continue;
      for (int in : readsOf(j))
        if (!inSegment(static_cast<size_t>(in)) &&
            std::find(inputIds.begin(), inputIds.end(), in) == inputIds.end())
          inputIds.push_back(in);
      for (const torch::Tensor& p : parametersOf(ops_[j].name))
        if (p.requires_grad()) parameters.push_back(p);
      if (auto module = moduleOf(ops_[j].name))
        for (const torch::Tensor& b : module->buffers())
          buffers.push_back(b);
    }
    for (size_t j = seg.end; j < ops_.size(); ++j) {
      if (!needed[j]) continue;
      for (int in : readsOf(j))
        if (inSegment(static_cast<size_t>(in)) &&
            std::find(outputIds.begin(), outputIds.end(), in) == outputIds.end())
          outputIds.push_back(in);
    }
    if (seg.end == ops_.size() && needed.back() &&
        std::find(outputIds.begin(), outputIds.end(), static_cast<int>(ops_.size() - 1)) ==
            outputIds.end())
      outputIds.push_back(static_cast<int>(ops_.size() - 1));
    // Captures by value what the backward pass needs after forward returns,
    // the branch drops and scales of this step included: stochastic depth
    // clears them once the forward pass is done.
    SegmentFunction segment = [this, seg, needed, inputIds, outputIds, runOp,
                               dropped = droppedBranches_,
                               scales = branchScales_](const std::vector<torch::Tensor>& inputs) {
      std::set<int> droppedNow = std::exchange(droppedBranches_, dropped);
      std::map<int, double> scalesNow = std::exchange(branchScales_, scales);
      std::vector<torch::Tensor> vals(ops_.size());
      for (size_t k = 0; k < inputIds.size(); ++k)
        vals[static_cast<size_t>(inputIds[k])] = inputs[k];
      bool usedAutocast = false;
      for (size_t j = seg.begin; j < seg.end; ++j)
        if (needed[j]) runOp(j, vals, nullptr, usedAutocast);
      // A recomputation in the backward pass must not leave 16-bit weight
      // copies behind for the next step's forward.
      if (usedAutocast && torch::GradMode::is_enabled()) at::autocast::clear_cache();
      droppedBranches_ = std::move(droppedNow);
      branchScales_ = std::move(scalesNow);
      std::vector<torch::Tensor> outputs;
      for (int id : outputIds)
        outputs.push_back(vals[static_cast<size_t>(id)]);
      return outputs;
    };
    std::vector<torch::Tensor> inputs;
    for (int id : inputIds)
      inputs.push_back(values[static_cast<size_t>(id)]);
    std::vector<torch::Tensor> outputs = runRecomputed(segment, inputs, parameters, buffers);
    for (size_t k = 0; k < outputIds.size(); ++k)
      values[static_cast<size_t>(outputIds[k])] = outputs[k];
    autocastUsed |= mixed_;
  };
  const bool checkpoints = is_training() && torch::GradMode::is_enabled();
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (!needed[i]) continue; // inside a dropped residual branch
    const int segmentId = checkpoints ? recomputeSegment(ops_[i]) : 0;
    if (segmentId <= 0) {
      runOp(i, values, timing, autocastUsed);
      continue;
    }
    Segment seg{i, i + 1};
    while (seg.end < ops_.size() && recomputeSegment(ops_[seg.end]) == segmentId)
      ++seg.end;
    runCheckpointed(seg);
    i = seg.end - 1;
  }
  // The autocast cache holds 16-bit copies of the weights for one forward.
  if (autocastUsed) at::autocast::clear_cache();
  torch::Tensor out = values.back();
  return out.scalar_type() == torch::kFloat32 ? out : out.to(torch::kFloat32);
}

void PlanModelImpl::foldBatchNorm(const std::string& convName) {
  auto it = opIndex_.find(convName);
  if (it == opIndex_.end() || kinds_[it->second] != plan::OpKind::Conv)
    throw std::runtime_error("cannot fold a batch norm into '" + convName + "': not a conv");
  const std::string bn = plan::getString(ops_[it->second].attrs, "fold_bn", "");
  auto bnAt = opIndex_.find(bn);
  if (bnAt == opIndex_.end() || kinds_[bnAt->second] != plan::OpKind::BatchNorm)
    throw std::runtime_error("conv '" + convName + "' names no batch norm to fold ('" + bn + "')");
  folded_.insert(convName);
}

int PlanModelImpl::branchInput(size_t add) const {
  const plan::Op& op = ops_[add];
  return op.inputs[0] == skipOf_[add] ? op.inputs[1] : op.inputs[0];
}

bool PlanModelImpl::isDroppedBranch(size_t op) const {
  return kinds_[op] == plan::OpKind::Add && droppedBranches_.count(static_cast<int>(op));
}

std::vector<int> PlanModelImpl::residualAdds() const {
  std::vector<int> adds;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const plan::Op& op = ops_[i];
    if (kinds_[i] == plan::OpKind::Add && isResidualAdd(ops_, i)) adds.push_back(op.id);
  }
  return adds;
}

void PlanModelImpl::setBranchDrops(std::set<int> dropped, std::map<int, double> keptScales) {
  droppedBranches_ = std::move(dropped);
  branchScales_ = std::move(keptScales);
}

// Walks back from the output; a dropped add needs only its skip input, so
// the ops of its branch are never computed (stochastic depth saves their
// forward and backward time).
std::vector<bool> PlanModelImpl::neededOps(bool drops) const {
  std::vector<bool> needed(ops_.size(), false);
  if (ops_.empty()) return needed;
  needed.back() = true;
  for (size_t i = ops_.size(); i-- > 0;) {
    if (!needed[i]) continue;
    const plan::Op& op = ops_[i];
    if (drops && isDroppedBranch(i))
      needed[skipInput(i)] = true;
    else
      for (int in : op.inputs)
        needed[in] = true;
  }
  return needed;
}

} // namespace fiver::runtime
