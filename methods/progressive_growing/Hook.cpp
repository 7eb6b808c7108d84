#include "methods/progressive_growing/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "runtime/model/ResidualSkip.h"

#include <stdexcept>

namespace fiver::runtime {

namespace {

bool isLayer(const plan::Op& op) {
  return (plan::isKind(op.kind, plan::OpKind::BatchNorm) ||
          plan::isKind(op.kind, plan::OpKind::LayerNorm) ||
          plan::isKind(op.kind, plan::OpKind::Linear) ||
          plan::isKind(op.kind, plan::OpKind::Conv)) &&
         plan::getString(op.attrs, "tied_to", "").empty();
}

// Ops whose output is zero for a zero input and whose gradient still reaches
// that input.
bool keepsZero(const plan::Op& op) {
  using plan::OpKind;
  for (OpKind k : {OpKind::Gelu, OpKind::Silu, OpKind::SqueezeExcite, OpKind::MaxPool,
                   OpKind::AvgPool, OpKind::Blur, OpKind::Dropout})
    if (plan::isKind(op.kind, k)) return true;
  return false;
}

const plan::Op& opAt(const std::vector<plan::Op>& ops, int index) {
  return ops[static_cast<size_t>(index)];
}

} // namespace

std::vector<LaterBlock> laterBlocks(const std::vector<plan::Op>& ops) {
  std::vector<LaterBlock> blocks;
  for (size_t i = 0; i < ops.size(); ++i) {
    const double step = plan::getNumber(ops[i].attrs, "grow_step", 0);
    if (step > 0) blocks.push_back({static_cast<int>(i), static_cast<int64_t>(step)});
  }
  return blocks;
}

int branchEnd(const std::vector<plan::Op>& ops, int add) {
  const plan::Op& join = opAt(ops, add);
  const int skip = residualSkipInput(ops, static_cast<size_t>(add));
  return join.inputs[0] == skip ? join.inputs[1] : join.inputs[0];
}

BlockSilencer silencerOf(const std::vector<plan::Op>& ops, int add) {
  BlockSilencer silencer;
  int op = branchEnd(ops, add);
  for (;;) {
    const plan::Op& o = opAt(ops, op);
    if (plan::isKind(o.kind, plan::OpKind::CausalAttention)) {
      silencer.layer = o.name;
      silencer.attentionProjection = true;
      return silencer;
    }
    if (isLayer(o)) {
      silencer.layer = o.name;
      return silencer;
    }
    const bool relu = plan::isKind(o.kind, plan::OpKind::Relu);
    if ((!relu && !keepsZero(o)) || o.inputs.size() != 1) return {};
    silencer.heldUntilJoin = silencer.heldUntilJoin || relu;
    op = o.inputs[0];
  }
}

namespace {

// The parameters `silencer` zeroes.
std::vector<torch::Tensor> silencedParameters(PlanModel& model, const BlockSilencer& silencer) {
  std::vector<torch::Tensor> params;
  for (auto& p : model->moduleOf(silencer.layer)->named_parameters())
    // An attention's output projection alone: its gradient (attention
    // output times the upstream gradient) is not zero.
    if (!silencer.attentionProjection || p.key().starts_with("proj.")) params.push_back(p.value());
  return params;
}

} // namespace

std::vector<torch::Tensor> silence(PlanModel& model, const BlockSilencer& silencer) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> before;
  for (torch::Tensor& p : silencedParameters(model, silencer)) {
    before.push_back(p.detach().clone());
    p.zero_();
  }
  return before;
}

std::set<int> blocksNotYetJoined(const std::vector<LaterBlock>& blocks, int64_t step) {
  std::set<int> waiting;
  for (const LaterBlock& b : blocks)
    if (step < b.joinStep) waiting.insert(b.add);
  return waiting;
}

void ProgressiveGrowing::holdOrSilence(TrainState& s) {
  int preserving = 0;
  for (const LaterBlock& b : blocks_) {
    const BlockSilencer silencer = silencerOf(s.model->ops(), b.add);
    if (silencer.layer.empty())
      throw std::runtime_error("progressive_growing: the block joined by '" +
                               opAt(s.model->ops(), b.add).name +
                               "' ends in no layer that can start at zero");
    std::vector<torch::Tensor> before = silence(s.model, silencer);
    if (silencer.heldUntilJoin)
      held_[b.add] = std::move(before);
    else
      ++preserving;
  }
  s.findings["progressive_growing.later_blocks"] = static_cast<double>(blocks_.size());
  s.findings["progressive_growing.function_preserving"] = static_cast<double>(preserving);
}

// The block joins as it was initialized: its layer gets its values back.
void ProgressiveGrowing::release(TrainState& s, int add) {
  auto it = held_.find(add);
  if (it == held_.end()) return;
  torch::NoGradGuard noGrad;
  const std::vector<torch::Tensor> params =
      silencedParameters(s.model, silencerOf(s.model->ops(), add));
  for (size_t i = 0; i < params.size(); ++i)
    params[i].copy_(it->second.at(i));
  held_.erase(it);
}

void ProgressiveGrowing::apply(Event e, TrainState& s) {
  if (e == Event::FitStart) {
    // A resumed run's checkpoint then overwrites the weights, and loadState
    // what is still held.
    blocks_ = laterBlocks(s.model->ops());
    holdOrSilence(s);
  }
  std::set<int> waiting = blocksNotYetJoined(blocks_, s.step);
  for (int add : waiting_)
    if (!waiting.count(add)) release(s, add);
  if (s.flops && e == Event::BeforeForward) s.flops->dropBranches(waiting); // work not done
  if (e == Event::FitStart || waiting != waiting_) s.model->setBranchDrops(waiting, {});
  waiting_ = std::move(waiting);
}

void ProgressiveGrowing::saveState(MethodState& out) const {
  // Always one key, so that a run resumed after every block joined loads
  // (and holds) nothing.
  out["held"] = torch::tensor(static_cast<int64_t>(held_.size()));
  for (const auto& [add, values] : held_)
    for (size_t i = 0; i < values.size(); ++i)
      out["held." + std::to_string(add) + "." + std::to_string(i)] = values[i];
}

void ProgressiveGrowing::loadState(const MethodState& in) {
  held_.clear();
  for (const auto& [key, value] : in) {
    if (!key.starts_with("held.")) continue;
    const size_t dot = key.find('.', 5);
    const int add = std::stoi(key.substr(5, dot - 5));
    const size_t index = std::stoul(key.substr(dot + 1));
    std::vector<torch::Tensor>& values = held_[add];
    if (values.size() <= index) values.resize(index + 1);
    values[index] = value.clone();
  }
}

namespace {
const HookRegistrar kHook("progressive_growing",
                          [](const MethodArgs&) { return std::make_unique<ProgressiveGrowing>(); });
} // namespace

} // namespace fiver::runtime
