#include "methods/channel_pruning/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"
#include "runtime/TorchCompat.h"
#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"
#include "runtime/optim/Muon.h"
#include "runtime/train/FlopCharges.h"

#include <torch/csrc/autograd/variable.h>

#include <mutex>
#include <stdexcept>

namespace fiver::runtime {

namespace {

int64_t count(const plan::Op& op, const char* key) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, 0));
}

// The reader's input features that the kept channels become: each channel
// `c` is `block` consecutive features (a flattened H x W map) from c * block.
torch::Tensor readerFeatures(const torch::Tensor& kept, int64_t block) {
  if (block == 1) return kept;
  return (kept.view({-1, 1}) * block + torch::arange(block, kept.options()).view({1, -1}))
      .reshape({-1});
}

torch::Tensor sliced(const torch::Tensor& t, int64_t dim, const torch::Tensor& index) {
  torch::Tensor s = t.index_select(dim, index.to(t.device()));
  // A channels-last weight stays channels-last (its convolution expects it).
  const bool channelsLast =
      t.dim() == 4 && !t.is_contiguous() && t.is_contiguous(torch::MemoryFormat::ChannelsLast);
  return channelsLast ? s.contiguous(torch::MemoryFormat::ChannelsLast) : s.contiguous();
}

// A state tensor of a parameter of `sizes`; empty ones (a moment the
// optimizer's rule for this parameter does not keep) stay empty.
void sliceInPlace(torch::Tensor& t, c10::IntArrayRef sizes, int64_t dim,
                  const torch::Tensor& index) {
  if (!t.defined() || t.numel() == 0) return;
  if (t.sizes() != sizes)
    throw std::runtime_error("channel_pruning: the optimizer keeps state of another shape than "
                             "its parameter, which cannot be sliced with it");
  t.set_data(sliced(t, dim, index));
}

// The optimizer's tensors of `p` (shaped as p), sliced as p is.
void sliceOptimizerState(torch::optim::Optimizer& optimizer, const torch::Tensor& p, int64_t dim,
                         const torch::Tensor& index) {
  auto found = optimizer.state().find(torchcompat::optimizerStateKey(p));
  if (found == optimizer.state().end()) return; // no step has taken it yet
  torch::optim::OptimizerParamState* state = found->second.get();
  if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(state)) {
    sliceInPlace(sgd->momentum_buffer(), p.sizes(), dim, index);
  } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(state)) {
    sliceInPlace(adamw->exp_avg(), p.sizes(), dim, index);
    sliceInPlace(adamw->exp_avg_sq(), p.sizes(), dim, index);
    sliceInPlace(adamw->max_exp_avg_sq(), p.sizes(), dim, index);
  } else if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(state)) {
    sliceInPlace(adam->exp_avg(), p.sizes(), dim, index);
    sliceInPlace(adam->exp_avg_sq(), p.sizes(), dim, index);
    sliceInPlace(adam->max_exp_avg_sq(), p.sizes(), dim, index);
  } else if (auto* lamb = dynamic_cast<LambParamState*>(state)) {
    sliceInPlace(lamb->exp_avg(), p.sizes(), dim, index);
    sliceInPlace(lamb->exp_avg_sq(), p.sizes(), dim, index);
  } else if (auto* lars = dynamic_cast<LarsParamState*>(state)) {
    sliceInPlace(lars->momentum_buffer(), p.sizes(), dim, index);
  } else if (auto* muon = dynamic_cast<MuonParamState*>(state)) {
    sliceInPlace(muon->momentum_buffer(), p.sizes(), dim, index);
    sliceInPlace(muon->exp_avg_sq(), p.sizes(), dim, index);
  } else {
    throw std::runtime_error("channel_pruning: cannot slice the optimizer's state of a pruned "
                             "parameter (an optimizer other than sgd, adamw, lamb, lars or muon)");
  }
}

// Slices a parameter or buffer along `dim`, with its optimizer state; its
// gradient, of the old shape, is dropped.
void sliceTensor(torch::Tensor t, torch::optim::Optimizer* optimizer, int64_t dim,
                 const torch::Tensor& index) {
  if (!t.defined()) return;
  if (optimizer && t.requires_grad()) sliceOptimizerState(*optimizer, t, dim, index);
  t.mutable_grad() = torch::Tensor();
  t.set_data(sliced(t.detach(), dim, index));
  // The last step's graph (the loss the trainer keeps) holds the tensor's
  // gradient accumulator, which expects the old shape: the next backward
  // must make a new one.
  if (auto* meta = torch::autograd::impl::get_autograd_meta(t)) {
    std::lock_guard<std::mutex> lock(meta->mutex_);
    meta->grad_accumulator_.reset();
  }
}

template <typename Impl> Impl& moduleAs(PlanModel& model, const plan::Op& op) {
  auto m = std::dynamic_pointer_cast<Impl>(model->moduleOf(op.name));
  if (!m)
    throw std::runtime_error("channel_pruning: '" + op.name + "' (" + op.kind +
                             ") has no module of the kind its channels need");
  return *m;
}

} // namespace

std::vector<ChannelGroup> channelGroups(const std::vector<plan::Op>& ops) {
  std::vector<ChannelGroup> groups;
  std::map<std::string, size_t> byConv;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (count(ops[i], "prune_keep") <= 0) continue;
    byConv[ops[i].name] = groups.size();
    groups.push_back(
        {static_cast<int>(i), count(ops[i], "prune_keep"), count(ops[i], "prune_step"), {}, -1, 1});
  }
  auto groupOf = [&](const std::string& conv) -> ChannelGroup& {
    auto it = byConv.find(conv);
    if (it == byConv.end())
      throw std::runtime_error("channel_pruning: the plan marks ops after '" + conv +
                               "', which has no prune_keep");
    return groups[it->second];
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string with = plan::getString(ops[i].attrs, "pruned_with", "");
    if (!with.empty()) groupOf(with).perChannel.push_back(static_cast<int>(i));
    const std::string of = plan::getString(ops[i].attrs, "pruned_input_of", "");
    if (!of.empty()) {
      ChannelGroup& g = groupOf(of);
      g.reader = static_cast<int>(i);
      g.block = std::max<int64_t>(1, count(ops[i], "pruned_input_block"));
    }
  }
  for (const ChannelGroup& g : groups)
    if (g.reader < 0)
      throw std::runtime_error("channel_pruning: the plan names no layer that reads the channels "
                               "of '" +
                               ops[static_cast<size_t>(g.conv)].name + "'");
  return groups;
}

torch::Tensor filterMagnitudes(const torch::Tensor& convWeight) {
  return convWeight.detach().abs().flatten(1).amax(1).to(torch::kFloat32).cpu();
}

torch::Tensor strongestFilters(const torch::Tensor& magnitudes, int64_t keep) {
  // Stable, so that equal magnitudes (identity or constant initializations)
  // keep the earlier filters.
  const torch::Tensor order =
      std::get<1>(magnitudes.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
  return std::get<0>(order.narrow(0, 0, keep).sort()).to(torch::kInt64);
}

void pruneChannels(PlanModel& model, torch::optim::Optimizer* optimizer, const ChannelGroup& group,
                   const torch::Tensor& kept) {
  torch::NoGradGuard noGrad;
  const std::vector<plan::Op>& ops = model->ops();
  auto& conv = moduleAs<torch::nn::Conv2dImpl>(model, ops[static_cast<size_t>(group.conv)]);
  sliceTensor(conv.weight, optimizer, 0, kept);
  sliceTensor(conv.bias, optimizer, 0, kept);
  for (int i : group.perChannel) {
    const plan::Op& op = ops[static_cast<size_t>(i)];
    if (!plan::isKind(op.kind, plan::OpKind::BatchNorm)) continue;
    auto& bn = moduleAs<torch::nn::BatchNorm2dImpl>(model, op);
    for (torch::Tensor t : {bn.weight, bn.bias, bn.running_mean, bn.running_var})
      sliceTensor(t, optimizer, 0, kept);
  }
  const plan::Op& reader = ops[static_cast<size_t>(group.reader)];
  torch::Tensor weight = plan::isKind(reader.kind, plan::OpKind::Conv)
                             ? moduleAs<torch::nn::Conv2dImpl>(model, reader).weight
                             : moduleAs<torch::nn::LinearImpl>(model, reader).weight;
  sliceTensor(weight, optimizer, 1, readerFeatures(kept, group.block));
}

plan::Plan prunedPlan(const plan::Plan& plan, const std::vector<ChannelGroup>& groups) {
  plan::Plan narrow = plan;
  auto set = [](plan::Op& op, const char* key, int64_t v) {
    op.attrs[key] = plan::Scalar::num(static_cast<double>(v));
  };
  for (const ChannelGroup& g : groups) {
    plan::Op& conv = narrow.ops[static_cast<size_t>(g.conv)];
    set(conv, "out", g.keep);
    conv.shape[0] = g.keep;
    for (int i : g.perChannel) {
      plan::Op& op = narrow.ops[static_cast<size_t>(i)];
      const bool flatten = plan::isKind(op.kind, plan::OpKind::Flatten);
      op.shape[0] = flatten ? g.keep * g.block : g.keep;
      if (plan::isKind(op.kind, plan::OpKind::BatchNorm)) set(op, "features", g.keep);
      if (plan::isKind(op.kind, plan::OpKind::Blur)) set(op, "channels", g.keep);
    }
    set(narrow.ops[static_cast<size_t>(g.reader)], "in", g.keep * g.block);
  }
  return narrow;
}

void ChannelPruning::prune(TrainState& s) {
  if (s.collectives)
    throw std::runtime_error("channel_pruning: data-parallel training is not supported (the "
                             "ranks' gradient buckets keep the widths they started with)");
  const std::vector<ChannelGroup> groups = channelGroups(s.model->ops());
  const std::vector<plan::Op>& ops = s.model->ops();
  int64_t removed = 0;
  const int64_t parametersBefore = [&] {
    int64_t n = 0;
    for (const torch::Tensor& p : s.model->parameters())
      n += p.numel();
    return n;
  }();
  for (const ChannelGroup& g : groups) {
    const plan::Op& op = ops[static_cast<size_t>(g.conv)];
    const torch::Tensor weight = moduleAs<torch::nn::Conv2dImpl>(s.model, op).weight;
    const torch::Tensor kept = strongestFilters(filterMagnitudes(weight), g.keep);
    removed += weight.size(0) - g.keep;
    pruneChannels(s.model, &s.optimizer, g, kept);
    kept_[op.name] = kept;
  }
  int64_t parametersAfter = 0;
  for (const torch::Tensor& p : s.model->parameters())
    parametersAfter += p.numel();
  pruned_ = true;
  s.findings["channel_pruning.filters_removed"] = static_cast<double>(removed);
  s.findings["channel_pruning.parameters_removed"] =
      static_cast<double>(parametersBefore - parametersAfter);
  s.findings["channel_pruning.step"] = static_cast<double>(s.step);
}

// The counter charges each step at the plan's widths; what the narrower
// layers do not compute is taken back, per pass the step ran.
void ChannelPruning::countSavedFlops(TrainState& s) {
  if (!s.flops || !s.images.defined()) return;
  if (!full_) {
    full_ = std::make_unique<FlopCounter>(s.plan);
    narrow_ = std::make_unique<FlopCounter>(prunedPlan(s.plan, channelGroups(s.model->ops())));
  }
  const PassSize size = passSizeOf(s.images);
  const int64_t passes = std::max<int64_t>(1, s.gradientEvaluations - passesBefore_);
  const double saved = full_->trainingPassFlops(size.images, size.height, size.width) -
                       narrow_->trainingPassFlops(size.images, size.height, size.width);
  chargeFlops(s, FlopKind::Step, -saved * static_cast<double>(passes));
}

void ChannelPruning::apply(Event e, TrainState& s) {
  if (e == Event::BeforeForward) {
    passesBefore_ = s.gradientEvaluations;
    if (!pruned_) {
      const std::vector<ChannelGroup> groups = channelGroups(s.model->ops());
      if (!groups.empty() && s.step >= groups.front().step) prune(s);
    }
    return;
  }
  if (pruned_) countSavedFlops(s);
}

void ChannelPruning::saveState(MethodState& out) const {
  out["pruned"] = torch::tensor(static_cast<int64_t>(pruned_));
  for (const auto& [conv, kept] : kept_)
    out["kept." + conv] = kept;
}

// The checkpoint's weights already have the kept widths (loading a module
// takes each tensor's saved shape); only the record is restored here.
void ChannelPruning::loadState(const MethodState& in) {
  auto pruned = in.find("pruned");
  if (pruned == in.end())
    throw std::runtime_error("channel_pruning: the checkpoint has no 'pruned' record");
  pruned_ = pruned->second.item<int64_t>() != 0;
  kept_.clear();
  for (const auto& [key, value] : in)
    if (key.starts_with("kept.")) kept_[key.substr(5)] = value.clone();
}

namespace {
const HookRegistrar kHook("channel_pruning",
                          [](const MethodArgs&) { return std::make_unique<ChannelPruning>(); });
} // namespace

} // namespace fiver::runtime
