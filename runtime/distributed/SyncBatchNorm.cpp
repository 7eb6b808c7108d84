#include "runtime/distributed/SyncBatchNorm.h"

namespace fiver::runtime::distributed {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::vector<int64_t> reducedDims(const torch::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d)
    dims.push_back(d);
  return dims;
}

// Shapes a per-channel vector to broadcast against x.
torch::Tensor perChannel(const torch::Tensor& v, const torch::Tensor& x) {
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = v.numel();
  return v.view(shape);
}

struct SyncBatchNormFunction : torch::autograd::Function<SyncBatchNormFunction> {
  // The process group is not a tensor: it rides in saved_data as an address,
  // valid for the step (the group outlives every training step).
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               torch::Tensor runningMean, torch::Tensor runningVar, double momentum,
                               double eps, int64_t collectivesAddress) {
    auto* collectives = reinterpret_cast<Collectives*>(collectivesAddress);
    const auto dims = reducedDims(x);
    const double localCount = static_cast<double>(x.numel() / x.size(1));
    torch::Tensor xf = x.to(torch::kFloat32);
    std::vector<torch::Tensor> sums{xf.sum(dims), xf.mul(xf).sum(dims),
                                    torch::full({1}, localCount, xf.options())};
    collectives->allReduceSum(sums);
    const double count = sums[2].item<double>();
    torch::Tensor mean = sums[0] / count;
    torch::Tensor var = (sums[1] / count - mean * mean).clamp_min(0);
    torch::Tensor invstd = torch::rsqrt(var + eps);
    {
      torch::NoGradGuard noGrad;
      runningMean.mul_(1 - momentum).add_(mean, momentum);
      runningVar.mul_(1 - momentum).add_(var * (count / std::max(1.0, count - 1)), momentum);
    }
    torch::Tensor xhat = (xf - perChannel(mean, x)) * perChannel(invstd, x);
    ctx->save_for_backward({xhat, invstd, weight});
    ctx->saved_data["collectives"] = collectivesAddress;
    ctx->saved_data["count"] = count;
    return (xhat * perChannel(weight, x) + perChannel(bias, x)).to(x.scalar_type());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor &xhat = saved[0], &invstd = saved[1], &weight = saved[2];
    auto* collectives = reinterpret_cast<Collectives*>(ctx->saved_data["collectives"].toInt());
    const double count = ctx->saved_data["count"].toDouble();
    torch::Tensor dy = grads[0].to(torch::kFloat32);
    const auto dims = reducedDims(dy);
    // The weight and bias gradients stay local: data parallelism averages them.
    torch::Tensor gradBias = dy.sum(dims);
    torch::Tensor gradWeight = (dy * xhat).sum(dims);
    std::vector<torch::Tensor> global{gradBias.clone(), gradWeight.clone()};
    collectives->allReduceSum(global);
    torch::Tensor dx = perChannel(weight * invstd, dy) * (dy - perChannel(global[0] / count, dy) -
                                                          xhat * perChannel(global[1] / count, dy));
    return {dx.to(grads[0].scalar_type()),
            gradWeight,
            gradBias,
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
  }
};

} // namespace

torch::Tensor syncBatchNorm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn,
                            Collectives& collectives) {
  const auto& o = bn.options;
  const double momentum = o.momentum().has_value() ? *o.momentum() : 0.1;
  return SyncBatchNormFunction::apply(x, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                      momentum, o.eps(), reinterpret_cast<int64_t>(&collectives));
}

} // namespace fiver::runtime::distributed
