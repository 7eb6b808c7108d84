// The runtime's row for each op kind: how PlanModel builds its modules and
// runs it in the forward pass. Adding an op kind adds its row to kRows (in
// OpKinds.def's order) and, where it needs them, a builder and a runner.
#include "runtime/model/OpBuilders.h"

#include "runtime/kernels/DenseBatchedProduct.h"
#include "runtime/kernels/DenseLinear.h"
#include "runtime/kernels/FusedFunction.h"
#include "runtime/model/BlockedAttention.h"
#include "runtime/model/FusedAttention.h"
#include "runtime/model/PlanModel.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
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

const torch::Tensor& firstInput(const OpRun& r) {
  return r.values[static_cast<size_t>(r.op.inputs[0])];
}

} // namespace

// Builders and runners reach into PlanModelImpl's per-kind module lists.
struct OpBuilders {
  // Registers `module` under the op's name, in `list` at the op's slot.
  template <typename Holder>
  static Holder keep(PlanModelImpl& m, size_t i, Holder module, std::vector<Holder>& list) {
    const plan::Op& op = m.ops_[i];
    auto registered = m.register_module(op.name, module); // the Impl's shared_ptr
    m.slot_[i] = static_cast<int>(list.size());
    list.push_back(Holder(registered));
    m.modules_[op.name] = registered;
    return Holder(registered);
  }

  static void nothing(PlanModelImpl&, size_t) {}

  static void conv(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    auto conv = keep(m, i,
                     torch::nn::Conv2d(torch::nn::Conv2dOptions(attr(op, "in"), attr(op, "out"),
                                                                attr(op, "kernel"))
                                           .stride(attr(op, "stride"))
                                           .padding(attr(op, "padding"))
                                           .groups(std::max<int64_t>(1, attr(op, "groups")))
                                           .bias(attr(op, "bias") != 0)),
                     m.convs_);
    torch::nn::init::kaiming_normal_(conv->weight, 0, torch::kFanOut, torch::kReLU);
    if (channelsLast(op)) restrideChannelsLast(conv->weight);
  }

  // eps and momentum are PyTorch's defaults unless an imported model says otherwise.
  static void batchNorm(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    keep(m, i,
         torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(attr(op, "features"))
                                    .eps(plan::getNumber(op.attrs, "eps", 1e-5))
                                    .momentum(plan::getNumber(op.attrs, "momentum", 0.1))),
         m.bns_);
  }

  // A linear tied to an embedding (`tied_to`) uses its token table as weight.
  static void linear(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    if (!plan::getString(op.attrs, "tied_to", "").empty()) {
      keep(m, i, tiedLinear(m, i), m.tiedLinears_);
      m.tied_[i] = true;
      return;
    }
    keep(m, i,
         torch::nn::Linear(
             torch::nn::LinearOptions(attr(op, "in"), attr(op, "out")).bias(attr(op, "bias") != 0)),
         m.linears_);
  }

  static void squeezeExcite(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    keep(m, i, SqueezeExcite(attr(op, "channels"), attr(op, "hidden")), m.gates_);
  }

  static void embedding(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    keep(m, i, SequenceEmbedding(attr(op, "vocab"), attr(op, "dim"), attr(op, "positions")),
         m.embeddings_);
  }

  static void layerNorm(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    keep(m, i,
         torch::nn::LayerNorm(torch::nn::LayerNormOptions({attr(op, "features")})
                                  .eps(plan::getNumber(op.attrs, "eps", 1e-5))),
         m.layerNorms_);
  }

  static void causalAttention(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    keep(m, i, CausalSelfAttention(attr(op, "dim"), attr(op, "heads"), attr(op, "alibi") != 0),
         m.attentions_);
  }

  // A trainable tensor [1, dims], drawn from N(0, 0.02) as transformers'
  // position tables are (imported models load their own).
  static void parameter(PlanModelImpl& m, size_t i) {
    const plan::Op& op = m.ops_[i];
    std::vector<int64_t> dims = {1};
    dims.insert(dims.end(), op.shape.begin(), op.shape.end());
    auto holder = m.register_module(op.name, std::make_shared<torch::nn::Module>());
    m.slot_[i] = static_cast<int>(m.tensors_.size());
    m.tensors_.push_back(holder->register_parameter("weight", torch::randn(dims) * 0.02));
    m.modules_[op.name] = holder;
  }

  static void fused(PlanModelImpl& m, size_t i);
  static TiedLinear tiedLinear(const PlanModelImpl& m, size_t linearIndex);

  static torch::Tensor runInput(const OpRun& r) { return r.modelInput; }
  static torch::Tensor runFused(const OpRun& r) {
    std::vector<torch::Tensor> args;
    for (int in : r.op.inputs)
      args.push_back(r.values[static_cast<size_t>(in)]);
    const PlanModelImpl::FusedOp& fused = r.model.fused_[r.model.slot_[r.index]];
    return kernels::applyFused(fused.program, args, fused.params);
  }
  static torch::Tensor runConv(const OpRun& r);
  static torch::Tensor runBatchNorm(const OpRun& r);
  static torch::Tensor runLinear(const OpRun& r) {
    PlanModelImpl& m = r.model;
    const int slot = m.slot_[r.index];
    if (m.tied_[r.index]) return m.tiedLinears_[slot]->forward(firstInput(r));
    const torch::nn::Linear& linear = m.linears_[slot];
    return denseLinear(firstInput(r), linear->weight, linear->bias);
  }
  static torch::Tensor runSqueezeExcite(const OpRun& r) {
    return r.model.gates_[r.model.slot_[r.index]]->forward(firstInput(r));
  }
  static torch::Tensor runEmbedding(const OpRun& r) {
    return r.model.embeddings_[r.model.slot_[r.index]]->forward(firstInput(r));
  }
  static torch::Tensor runLayerNorm(const OpRun& r) {
    return r.model.layerNorms_[r.model.slot_[r.index]]->forward(firstInput(r));
  }
  // memory_efficient_attention gives the op `attention_block`: the queries
  // of a block whose scores are computed together.
  static torch::Tensor runCausalAttention(const OpRun& r) {
    CausalSelfAttention& attention = r.model.attentions_[r.model.slot_[r.index]];
    const int64_t block = attr(r.op, "attention_block");
    // Where LibTorch's fused kernel runs (CUDA), it already keeps no T x T
    // scores: memory_efficient_attention's blocks are its CPU counterpart.
    if (block > 0 && !fusedAttentionApplies(firstInput(r)))
      return blockedSelfAttention(*attention, firstInput(r), attr(r.op, "heads"),
                                  attr(r.op, "alibi") != 0, block);
    return attention->forward(firstInput(r));
  }
  static torch::Tensor runAdd(const OpRun& r);
  // The tensor as the batch's own copy: a view, so its gradient sums the batch's.
  static torch::Tensor runParameter(const OpRun& r) {
    const torch::Tensor& t = r.model.tensors_[r.model.slot_[r.index]];
    std::vector<int64_t> sizes = t.sizes().vec();
    sizes[0] = r.modelInput.size(0);
    return t.expand(sizes);
  }
};

void OpBuilders::fused(PlanModelImpl& m, size_t i) {
  const plan::Op& op = m.ops_[i];
  std::vector<std::string> names = splitNames(plan::getString(op.attrs, "params", ""));
  std::optional<std::string> saved;
  if (op.attrs.count("saved")) saved = plan::getString(op.attrs, "saved", "");
  PlanModelImpl::FusedOp fused;
  try {
    fused.program = kernels::FusedProgram::build(op.expr, static_cast<int>(op.inputs.size()),
                                                 static_cast<int>(names.size()), saved);
  } catch (const std::exception& e) {
    throw std::runtime_error("fused op '" + op.name + "': " + e.what());
  }
  if (!names.empty()) {
    if (op.shape.empty())
      throw std::runtime_error("fused op '" + op.name + "' has parameters but no shape");
    auto holder = m.register_module(op.name, std::make_shared<torch::nn::Module>());
    for (const std::string& name : names) {
      std::string local = name;
      std::replace(local.begin(), local.end(), '.', '_');
      fused.params.push_back(
          holder->register_parameter(local, initialFusedParam(name, op.shape[0])));
    }
    m.modules_[op.name] = holder;
  }
  m.slot_[i] = static_cast<int>(m.fused_.size());
  m.fused_.push_back(std::move(fused));
}

// The module of the linear op at `linearIndex`, tied to the embedding its
// `tied_to` names; throws when that is no earlier embedding of its shape.
TiedLinear OpBuilders::tiedLinear(const PlanModelImpl& m, size_t linearIndex) {
  const plan::Op& linear = m.ops_[linearIndex];
  const std::string target = plan::getString(linear.attrs, "tied_to", "");
  auto at = m.opIndex_.find(target);
  if (at == m.opIndex_.end() ||
      m.kinds_[static_cast<size_t>(at->second)] != plan::OpKind::Embedding ||
      at->second > static_cast<int>(linearIndex))
    throw std::runtime_error("linear '" + linear.name + "' is tied to '" + target +
                             "', which is not an embedding before it in the plan");
  const plan::Op& embedding = m.ops_[static_cast<size_t>(at->second)];
  const SequenceEmbedding& table = m.embeddings_[static_cast<size_t>(m.slot_[at->second])];
  if (attr(linear, "out") != attr(embedding, "vocab") ||
      attr(linear, "in") != attr(embedding, "dim"))
    throw std::runtime_error(
        "linear '" + linear.name + "' maps " + std::to_string(attr(linear, "in")) +
        " features to " + std::to_string(attr(linear, "out")) + ", so it cannot use the [" +
        std::to_string(attr(embedding, "vocab")) + ", " + std::to_string(attr(embedding, "dim")) +
        "] token table of '" + target + "' as its weight");
  return TiedLinear(table, attr(linear, "bias") != 0);
}

torch::Tensor OpBuilders::runConv(const OpRun& r) {
  PlanModelImpl& m = r.model;
  const plan::Op& op = r.op;
  torch::Tensor x = firstInput(r);
  if (channelsLast(op) && !x.is_contiguous(torch::MemoryFormat::ChannelsLast))
    x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  if (!m.folded_.count(op.name)) return m.convs_[m.slot_[r.index]]->forward(x);
  const int bn = m.opIndex_.at(plan::getString(op.attrs, "fold_bn", ""));
  return foldedConvBatchNorm(x, m.convs_[m.slot_[r.index]], m.bns_[m.slot_[bn]], attr(op, "stride"),
                             attr(op, "padding"));
}

torch::Tensor OpBuilders::runBatchNorm(const OpRun& r) {
  PlanModelImpl& m = r.model;
  const torch::Tensor& x = firstInput(r);
  // A norm folded into its conv has already been applied.
  if (m.folded_.count(plan::getString(r.op.attrs, "folded_into", ""))) return x;
  torch::nn::BatchNorm2d& bn = m.bns_[m.slot_[r.index]];
  return m.batchNormOverride_ && m.is_training() ? m.batchNormOverride_(x, *bn) : bn->forward(x);
}

// Stochastic depth scales a kept branch in training (a dropped one never
// gets here: forward passes its skip input on).
torch::Tensor OpBuilders::runAdd(const OpRun& r) {
  PlanModelImpl& m = r.model;
  const plan::Op& op = r.op;
  auto scale = m.branchScales_.find(static_cast<int>(r.index));
  if (m.is_training() && scale != m.branchScales_.end() && op.inputs.size() == 2)
    return r.values[m.skipInput(r.index)] + r.values[m.branchInput(r.index)] * scale->second;
  return firstInput(r) + r.values[op.inputs[1]];
}

namespace {

using plan::OpKind;
using B = OpBuilders;

torch::Tensor runBlur(const OpRun& r) {
  return blur2d(firstInput(r), attr(r.op, "stride"));
}
torch::Tensor runRelu(const OpRun& r) {
  return torch::relu(firstInput(r));
}
torch::Tensor runGelu(const OpRun& r) {
  return torch::gelu(firstInput(r));
}
torch::Tensor runSilu(const OpRun& r) {
  return torch::silu(firstInput(r));
}
torch::Tensor runMaxPool(const OpRun& r) {
  const int64_t k = attr(r.op, "kernel"), s = attr(r.op, "stride"), p = attr(r.op, "padding");
  return torch::max_pool2d(firstInput(r), {k, k}, {s, s}, {p, p});
}
torch::Tensor runAvgPool(const OpRun& r) {
  const int64_t k = attr(r.op, "kernel"), s = attr(r.op, "stride"), p = attr(r.op, "padding");
  return torch::avg_pool2d(firstInput(r), {k, k}, {s, s}, {p, p});
}
torch::Tensor runGlobalAvgPool(const OpRun& r) {
  return firstInput(r).mean({2, 3}, /*keepdim=*/true);
}
torch::Tensor runGlobalMaxPool(const OpRun& r) {
  return globalMaxPool(firstInput(r));
}
torch::Tensor runFlatten(const OpRun& r) {
  return firstInput(r).flatten(1);
}
torch::Tensor runDropout(const OpRun& r) {
  return torch::dropout(firstInput(r), plan::getNumber(r.op.attrs, "p", 0.5),
                        r.model.is_training());
}

// ReLU6 and hard sigmoid as PyTorch computes them, so imported models train
// with its gradients (zero at the clamp's bounds).
torch::Tensor runClamp(const OpRun& r) {
  return torch::hardtanh(firstInput(r), plan::getNumber(r.op.attrs, "min", 0),
                         plan::getNumber(r.op.attrs, "max", 6));
}
torch::Tensor runHardSigmoid(const OpRun& r) {
  const double alpha = plan::getNumber(r.op.attrs, "alpha", 1.0 / 6);
  const double beta = plan::getNumber(r.op.attrs, "beta", 0.5);
  const torch::Tensor& x = firstInput(r);
  if (std::abs(alpha - 1.0 / 6) < 1e-7 && beta == 0.5) return torch::hardsigmoid(x);
  return torch::hardtanh(x * alpha + beta, 0, 1);
}
torch::Tensor runSigmoid(const OpRun& r) {
  return torch::sigmoid(firstInput(r));
}
torch::Tensor runMul(const OpRun& r) {
  return firstInput(r) * r.values[static_cast<size_t>(r.op.inputs[1])];
}

// The tensor kinds of imported transformers: their axes count after the
// batch, which stays the first.
std::vector<int64_t> axes(const plan::Op& op, const char* key) {
  std::vector<int64_t> values;
  std::stringstream in(plan::getString(op.attrs, key, ""));
  for (std::string item; std::getline(in, item, ',');)
    values.push_back(std::stoll(item));
  return values;
}
torch::Tensor runReshape(const OpRun& r) {
  std::vector<int64_t> dims = {firstInput(r).size(0)};
  for (int64_t d : axes(r.op, "dims"))
    dims.push_back(d);
  return firstInput(r).reshape(dims);
}
torch::Tensor runTranspose(const OpRun& r) {
  std::vector<int64_t> perm = {0};
  for (int64_t p : axes(r.op, "perm"))
    perm.push_back(p + 1);
  return firstInput(r).permute(perm);
}
torch::Tensor runConcat(const OpRun& r) {
  std::vector<torch::Tensor> parts;
  for (int in : r.op.inputs)
    parts.push_back(r.values[static_cast<size_t>(in)]);
  return torch::cat(parts, attr(r.op, "axis") + 1);
}
torch::Tensor runSlice(const OpRun& r) {
  const int64_t start = attr(r.op, "start");
  return firstInput(r).narrow(attr(r.op, "axis") + 1, start, attr(r.op, "end") - start);
}
torch::Tensor runMatMul(const OpRun& r) {
  return denseBatchedProduct(firstInput(r), r.values[static_cast<size_t>(r.op.inputs[1])]);
}
torch::Tensor runScale(const OpRun& r) {
  return firstInput(r) * plan::getNumber(r.op.attrs, "factor", 1);
}
torch::Tensor runSoftmax(const OpRun& r) {
  return torch::softmax(firstInput(r), attr(r.op, "axis") + 1);
}
// -inf where a query would see a later key: masked_fill, as PyTorch models
// write it (adding a 0/-inf mask gives the same numbers).
torch::Tensor runCausalMask(const OpRun& r) {
  const torch::Tensor& x = firstInput(r);
  const int64_t t = x.size(-1);
  torch::Tensor later = torch::ones({t, t}, x.options().dtype(torch::kBool)).triu(1);
  return x.masked_fill(later, -std::numeric_limits<float>::infinity());
}

constexpr std::array<OpRuntime, plan::kOpKindCount> kRows = {{
    {OpKind::Input, B::nothing, B::runInput},
    {OpKind::Conv, B::conv, B::runConv},
    {OpKind::BatchNorm, B::batchNorm, B::runBatchNorm},
    {OpKind::Relu, B::nothing, runRelu},
    {OpKind::Gelu, B::nothing, runGelu},
    {OpKind::Silu, B::nothing, runSilu},
    {OpKind::MaxPool, B::nothing, runMaxPool},
    {OpKind::AvgPool, B::nothing, runAvgPool},
    {OpKind::GlobalAvgPool, B::nothing, runGlobalAvgPool},
    {OpKind::GlobalMaxPool, B::nothing, runGlobalMaxPool},
    {OpKind::Flatten, B::nothing, runFlatten},
    {OpKind::Linear, B::linear, B::runLinear},
    {OpKind::Dropout, B::nothing, runDropout},
    {OpKind::Add, B::nothing, B::runAdd},
    {OpKind::Fused, B::fused, B::runFused},
    {OpKind::Blur, B::nothing, runBlur},
    {OpKind::SqueezeExcite, B::squeezeExcite, B::runSqueezeExcite},
    {OpKind::Embedding, B::embedding, B::runEmbedding},
    {OpKind::LayerNorm, B::layerNorm, B::runLayerNorm},
    {OpKind::CausalAttention, B::causalAttention, B::runCausalAttention},
    {OpKind::Clamp, B::nothing, runClamp},
    {OpKind::HardSigmoid, B::nothing, runHardSigmoid},
    {OpKind::Sigmoid, B::nothing, runSigmoid},
    {OpKind::Mul, B::nothing, runMul},
    {OpKind::Parameter, B::parameter, B::runParameter},
    {OpKind::Reshape, B::nothing, runReshape},
    {OpKind::Transpose, B::nothing, runTranspose},
    {OpKind::Concat, B::nothing, runConcat},
    {OpKind::Slice, B::nothing, runSlice},
    {OpKind::MatMul, B::nothing, runMatMul},
    {OpKind::Scale, B::nothing, runScale},
    {OpKind::Softmax, B::nothing, runSoftmax},
    {OpKind::CausalMask, B::nothing, runCausalMask},
}};

constexpr bool everyKindHasItsRow() {
  for (size_t i = 0; i < kRows.size(); ++i)
    if (static_cast<size_t>(kRows[i].kind) != i || !kRows[i].build || !kRows[i].run) return false;
  return true;
}
static_assert(everyKindHasItsRow(),
              "every op kind of OpKinds.def needs its runtime row here, in the table's order");

} // namespace

const OpRuntime& opRuntime(plan::OpKind kind) {
  return kRows[static_cast<size_t>(kind)];
}

} // namespace fiver::runtime
