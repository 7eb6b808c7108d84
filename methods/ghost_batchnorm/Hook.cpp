#include "methods/ghost_batchnorm/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <stdexcept>

namespace fiver::runtime {

torch::Tensor ghostBatchNorm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn,
                             int64_t ghostBatch) {
  const int64_t groups = x.size(0) / ghostBatch;
  if (groups <= 1) return bn.forward(x);
  const std::vector<torch::Tensor> chunks = x.chunk(groups, 0);
  const auto& o = bn.options;
  std::vector<torch::Tensor> normalized;
  normalized.reserve(chunks.size());
  if (!o.momentum()) { // a cumulative average: the module's own update per chunk is right
    for (const torch::Tensor& c : chunks)
      normalized.push_back(bn.forward(c));
    return torch::cat(normalized, 0);
  }
  const double momentum = *o.momentum() / static_cast<double>(chunks.size());
  for (const torch::Tensor& c : chunks)
    normalized.push_back(torch::batch_norm(c, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                           /*training=*/true, momentum, o.eps(),
                                           /*cudnn_enabled=*/true));
  {
    torch::NoGradGuard noGrad;
    bn.num_batches_tracked.add_(1); // one step, as the module counts it
  }
  return torch::cat(normalized, 0);
}

GhostBatchNorm::GhostBatchNorm(int64_t ghostBatch) : ghostBatch_(ghostBatch) {
  if (ghostBatch_ < 2)
    throw std::runtime_error("method 'ghost_batchnorm': ghost_batch must be at least 2");
}

void GhostBatchNorm::apply(Event, TrainState& s) {
  bool hasBatchNorm = false;
  for (const plan::Op& op : s.model->ops())
    hasBatchNorm = hasBatchNorm || op.kind == "bn";
  // A model without batch norm would train unchanged: say so instead.
  if (!hasBatchNorm)
    throw std::runtime_error("method 'ghost_batchnorm': the model has no batch norm");
  const int64_t ghostBatch = ghostBatch_;
  s.model->setBatchNormOverride(
      [ghostBatch](const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn) {
        return ghostBatchNorm(x, bn, ghostBatch);
      });
}

namespace {
const HookRegistrar kHook("ghost_batchnorm", [](const MethodArgs& args) {
  return std::make_unique<GhostBatchNorm>(args.integer("ghost_batch"));
});
} // namespace

} // namespace fiver::runtime
