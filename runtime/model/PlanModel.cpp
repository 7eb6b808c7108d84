#include "runtime/model/PlanModel.h"

#include "runtime/kernels/FusedFunction.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace fiver::runtime {

namespace {

int64_t attr(const plan::Op& op, const char* key) {
  return static_cast<int64_t>(plan::getNumber(op.attrs, key, 0));
}

bool channelsLast(const plan::Op& op) {
  return op.memoryFormat == "channels_last";
}

// contiguous(ChannelsLast) is a no-op on a 1-input-channel weight, whose
// strides already satisfy both layouts; re-stride it explicitly or the stem
// silently stays NCHW and drags the whole net with it.
void restrideChannelsLast(torch::Tensor& w) {
  torch::NoGradGuard noGrad;
  torch::Tensor nhwc = torch::empty_like(w, torch::MemoryFormat::ChannelsLast).copy_(w);
  w.set_data(nhwc);
}

std::vector<std::string> splitNames(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) names.push_back(item);
  return names;
}

// The max over H and W, kept as [B, C, 1, 1]. Forward + backward of a
// [128, 64, 7, 7] batch on one CPU thread: in NCHW a max over the flattened
// plane takes half the time of amax (0.65 against 1.3 ms). In channels-last
// it is still a little faster alone, but its backward scatters into an NCHW
// gradient that the channels-last layers before it must convert, so conv +
// relu + pool takes about 1 ms more (12 against 11 ms) than with amax, whose
// gradient keeps the input's layout. Between equal maxima, max gives the
// gradient to one and amax shares it: both are subgradients.
torch::Tensor globalMaxPool(const torch::Tensor& x) {
  if (x.suggest_memory_format() == torch::MemoryFormat::ChannelsLast)
    return torch::amax(x, {2, 3}, /*keepdim=*/true);
  return std::get<0>(x.flatten(2).max(2)).view({x.size(0), x.size(1), 1, 1});
}

// A fused op's parameters are per-channel affine terms: scales start at one,
// everything else at zero, as batch norm's do.
torch::Tensor initialFusedParam(const std::string& name, int64_t channels) {
  bool scale = name.ends_with("weight") || name.ends_with("scale");
  return scale ? torch::ones({channels}) : torch::zeros({channels});
}

} // namespace

PlanModelImpl::PlanModelImpl(const std::vector<plan::Op>& ops)
    : ops_(ops), slot_(ops.size(), -1), tied_(ops.size(), false) {
  for (size_t i = 0; i < ops_.size(); ++i)
    opIndex_[ops_[i].name] = static_cast<int>(i);
  for (size_t i = 0; i < ops_.size(); ++i) {
    const plan::Op& op = ops_[i];
    mixed_ |= op.dtype != "fp32";
    if (op.kind == "linear" && !plan::getString(op.attrs, "tied_to", "").empty()) {
      auto lin = register_module(op.name, tiedLinear(static_cast<int>(i)));
      tied_[i] = true;
      slot_[i] = static_cast<int>(tiedLinears_.size());
      tiedLinears_.push_back(TiedLinear(lin));
      modules_[op.name] = lin;
    } else if (op.kind == "embedding") {
      auto emb = register_module(
          op.name, SequenceEmbedding(attr(op, "vocab"), attr(op, "dim"), attr(op, "positions")));
      slot_[i] = static_cast<int>(embeddings_.size());
      embeddings_.push_back(SequenceEmbedding(emb));
      modules_[op.name] = emb;
    } else if (op.kind == "layernorm") {
      auto norm = register_module(
          op.name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({attr(op, "features")})));
      slot_[i] = static_cast<int>(layerNorms_.size());
      layerNorms_.push_back(torch::nn::LayerNorm(norm));
      modules_[op.name] = norm;
    } else if (op.kind == "causal_attention") {
      auto attention =
          register_module(op.name, CausalSelfAttention(attr(op, "dim"), attr(op, "heads")));
      slot_[i] = static_cast<int>(attentions_.size());
      attentions_.push_back(CausalSelfAttention(attention));
      modules_[op.name] = attention;
    } else if (op.kind == "conv") {
      auto conv = register_module(
          op.name, torch::nn::Conv2d(
                       torch::nn::Conv2dOptions(attr(op, "in"), attr(op, "out"), attr(op, "kernel"))
                           .stride(attr(op, "stride"))
                           .padding(attr(op, "padding"))
                           .bias(attr(op, "bias") != 0)));
      torch::nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
      if (channelsLast(op)) restrideChannelsLast(conv->weight);
      slot_[i] = static_cast<int>(convs_.size());
      convs_.push_back(torch::nn::Conv2d(conv));
      modules_[op.name] = conv;
    } else if (op.kind == "bn") {
      auto bn = register_module(op.name, torch::nn::BatchNorm2d(attr(op, "features")));
      slot_[i] = static_cast<int>(bns_.size());
      bns_.push_back(torch::nn::BatchNorm2d(bn));
      modules_[op.name] = bn;
    } else if (op.kind == "linear") {
      auto lin = register_module(
          op.name, torch::nn::Linear(torch::nn::LinearOptions(attr(op, "in"), attr(op, "out"))
                                         .bias(attr(op, "bias") != 0)));
      slot_[i] = static_cast<int>(linears_.size());
      linears_.push_back(torch::nn::Linear(lin));
      modules_[op.name] = lin;
    } else if (op.kind == "squeeze_excite") {
      auto se = register_module(op.name, SqueezeExcite(attr(op, "channels"), attr(op, "hidden")));
      slot_[i] = static_cast<int>(gates_.size());
      gates_.push_back(SqueezeExcite(se));
      modules_[op.name] = se;
    } else if (op.kind == "fused") {
      std::vector<std::string> names = splitNames(plan::getString(op.attrs, "params", ""));
      std::optional<std::string> saved;
      if (op.attrs.count("saved")) saved = plan::getString(op.attrs, "saved", "");
      FusedOp fused;
      try {
        fused.program = kernels::FusedProgram::build(op.expr, static_cast<int>(op.inputs.size()),
                                                     static_cast<int>(names.size()), saved);
      } catch (const std::exception& e) {
        throw std::runtime_error("fused op '" + op.name + "': " + e.what());
      }
      if (!names.empty()) {
        if (op.shape.empty())
          throw std::runtime_error("fused op '" + op.name + "' has parameters but no shape");
        auto holder = register_module(op.name, std::make_shared<torch::nn::Module>());
        for (const std::string& name : names) {
          std::string local = name;
          std::replace(local.begin(), local.end(), '.', '_');
          fused.params.push_back(
              holder->register_parameter(local, initialFusedParam(name, op.shape[0])));
        }
        modules_[op.name] = holder;
      }
      slot_[i] = static_cast<int>(fused_.size());
      fused_.push_back(std::move(fused));
    } else if (op.kind != "input" && op.kind != "blur" && op.kind != "relu" && op.kind != "gelu" &&
               op.kind != "silu" && op.kind != "maxpool" && op.kind != "avgpool" &&
               op.kind != "global_avgpool" && op.kind != "global_maxpool" && op.kind != "flatten" &&
               op.kind != "dropout" && op.kind != "add") {
      throw std::runtime_error("the plan has an op of kind '" + op.kind +
                               "', which this runtime cannot execute");
    }
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

TiedLinear PlanModelImpl::tiedLinear(int linearIndex) const {
  const plan::Op& linear = ops_[static_cast<size_t>(linearIndex)];
  const std::string target = plan::getString(linear.attrs, "tied_to", "");
  auto at = opIndex_.find(target);
  if (at == opIndex_.end() || ops_[static_cast<size_t>(at->second)].kind != "embedding" ||
      at->second > linearIndex)
    throw std::runtime_error("linear '" + linear.name + "' is tied to '" + target +
                             "', which is not an embedding before it in the plan");
  const plan::Op& embedding = ops_[static_cast<size_t>(at->second)];
  const SequenceEmbedding& table = embeddings_[static_cast<size_t>(slot_[at->second])];
  if (attr(linear, "out") != attr(embedding, "vocab") ||
      attr(linear, "in") != attr(embedding, "dim"))
    throw std::runtime_error(
        "linear '" + linear.name + "' maps " + std::to_string(attr(linear, "in")) +
        " features to " + std::to_string(attr(linear, "out")) + ", so it cannot use the [" +
        std::to_string(attr(embedding, "vocab")) + ", " + std::to_string(attr(embedding, "dim")) +
        "] token table of '" + target + "' as its weight");
  return TiedLinear(table, attr(linear, "bias") != 0);
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
// Profiling one op of the forward pass: when its scope ends (ops leave the
// loop through several `continue`s), its time is added, and a hook on its
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
  for (size_t i = 0; i < ops_.size(); ++i) {
    const plan::Op& op = ops_[i];
    if (!needed[i]) continue; // inside a dropped residual branch
    OpProbe probe(timing, i, values, op.inputs);
    // Mixed precision: each op computes in its planned dtype; an fp32 op
    // (a norm) inside a 16-bit model reads fp32.
    const bool lowPrecision = op.dtype != "fp32" && autocastSupported(op.dtype, input);
    if (op.dtype != "fp32" && !lowPrecision && precisionNote_.empty()) {
      precisionNote_ = "mixed precision: this LibTorch has no " + op.dtype + " autocast on " +
                       (input.is_cuda() ? "CUDA" : "the CPU") + "; those ops run in fp32";
      std::cerr << "5rc-exec: " << precisionNote_ << "\n";
    }
    autocastUsed |= lowPrecision;
    std::optional<AutocastRegion> region;
    if (mixed_) region.emplace(lowPrecision, op.dtype, input);
    // Batch norm reads a bf16 batch as it is: its kernel accumulates the
    // statistics in fp32 against fp32 parameters and running buffers, and
    // skipping the round trip through fp32 makes norm + ReLU about 3.5x
    // faster on the CPU (forward and backward of a 128x32x14x14 batch: 1.2
    // against 4.4 ms), so conv -> pool -> bn -> relu stays in bf16.
    const bool readsBf16 = op.kind == "bn" && mixed_ && !input.is_cuda();
    if (mixed_ && !lowPrecision && op.kind != "input" && !readsBf16)
      for (int in : op.inputs)
        if (values[in].defined() && values[in].is_floating_point() &&
            values[in].scalar_type() != torch::kFloat32) // token ids stay int64
          values[in] = values[in].to(torch::kFloat32);
    if (drops && op.kind == "add" && droppedBranches_.count(static_cast<int>(i))) {
      values[i] = values[skipInput(op)];
      continue;
    }
    if (op.kind == "input") {
      values[i] = input;
      continue;
    }
    if (op.kind == "fused") {
      std::vector<torch::Tensor> args;
      for (int in : op.inputs)
        args.push_back(values[in]);
      const FusedOp& fused = fused_[slot_[i]];
      values[i] = kernels::applyFused(fused.program, args, fused.params);
      continue;
    }
    torch::Tensor x = values[op.inputs[0]];
    if (op.kind == "conv") {
      if (channelsLast(op) && !x.is_contiguous(torch::MemoryFormat::ChannelsLast))
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
      if (folded_.count(op.name)) {
        const int bn = opIndex_.at(plan::getString(op.attrs, "fold_bn", ""));
        values[i] = foldedConvBatchNorm(x, convs_[slot_[i]], bns_[slot_[bn]], attr(op, "stride"),
                                        attr(op, "padding"));
      } else {
        values[i] = convs_[slot_[i]]->forward(x);
      }
    } else if (op.kind == "bn") {
      // A norm folded into its conv has already been applied.
      if (folded_.count(plan::getString(op.attrs, "folded_into", "")))
        values[i] = x;
      else
        values[i] = batchNormOverride_ && is_training() ? batchNormOverride_(x, *bns_[slot_[i]])
                                                        : bns_[slot_[i]]->forward(x);
    } else if (op.kind == "blur") {
      values[i] = blur2d(x, attr(op, "stride"));
    } else if (op.kind == "squeeze_excite") {
      values[i] = gates_[slot_[i]]->forward(x);
    } else if (op.kind == "linear") {
      values[i] = tied_[i] ? tiedLinears_[slot_[i]]->forward(x) : linears_[slot_[i]]->forward(x);
    } else if (op.kind == "embedding") {
      values[i] = embeddings_[slot_[i]]->forward(x);
    } else if (op.kind == "layernorm") {
      values[i] = layerNorms_[slot_[i]]->forward(x);
    } else if (op.kind == "causal_attention") {
      values[i] = attentions_[slot_[i]]->forward(x);
    } else if (op.kind == "relu") {
      values[i] = torch::relu(x);
    } else if (op.kind == "gelu") {
      values[i] = torch::gelu(x);
    } else if (op.kind == "silu") {
      values[i] = torch::silu(x);
    } else if (op.kind == "maxpool") {
      values[i] = torch::max_pool2d(x, {attr(op, "kernel"), attr(op, "kernel")},
                                    {attr(op, "stride"), attr(op, "stride")});
    } else if (op.kind == "avgpool") {
      values[i] = torch::avg_pool2d(x, {attr(op, "kernel"), attr(op, "kernel")},
                                    {attr(op, "stride"), attr(op, "stride")});
    } else if (op.kind == "global_avgpool") {
      values[i] = x.mean({2, 3}, /*keepdim=*/true);
    } else if (op.kind == "global_maxpool") {
      values[i] = globalMaxPool(x);
    } else if (op.kind == "flatten") {
      values[i] = x.flatten(1);
    } else if (op.kind == "dropout") {
      values[i] = torch::dropout(x, plan::getNumber(op.attrs, "p", 0.5), is_training());
    } else if (op.kind == "add") {
      auto scale = branchScales_.find(static_cast<int>(i));
      if (is_training() && scale != branchScales_.end() && op.inputs.size() == 2)
        values[i] = values[skipInput(op)] + values[branchInput(op)] * scale->second;
      else
        values[i] = x + values[op.inputs[1]];
    }
  }
  // The autocast cache holds 16-bit copies of the weights for one forward.
  if (autocastUsed) at::autocast::clear_cache();
  torch::Tensor out = values.back();
  return out.scalar_type() == torch::kFloat32 ? out : out.to(torch::kFloat32);
}

void PlanModelImpl::foldBatchNorm(const std::string& convName) {
  auto it = opIndex_.find(convName);
  if (it == opIndex_.end() || ops_[it->second].kind != "conv")
    throw std::runtime_error("cannot fold a batch norm into '" + convName + "': not a conv");
  const std::string bn = plan::getString(ops_[it->second].attrs, "fold_bn", "");
  auto bnAt = opIndex_.find(bn);
  if (bnAt == opIndex_.end() || ops_[bnAt->second].kind != "bn")
    throw std::runtime_error("conv '" + convName + "' names no batch norm to fold ('" + bn + "')");
  folded_.insert(convName);
}

// A residual add reads its skip connection from the earlier op and its branch
// from the later one.
int PlanModelImpl::skipInput(const plan::Op& add) {
  return *std::min_element(add.inputs.begin(), add.inputs.end());
}
int PlanModelImpl::branchInput(const plan::Op& add) {
  return *std::max_element(add.inputs.begin(), add.inputs.end());
}

std::vector<int> PlanModelImpl::residualAdds() const {
  std::vector<int> adds;
  for (const plan::Op& op : ops_)
    if (op.kind == "add" && op.inputs.size() == 2 && op.inputs[0] != op.inputs[1])
      adds.push_back(op.id);
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
    if (drops && op.kind == "add" && droppedBranches_.count(static_cast<int>(i)))
      needed[skipInput(op)] = true;
    else
      for (int in : op.inputs)
        needed[in] = true;
  }
  return needed;
}

} // namespace fiver::runtime
