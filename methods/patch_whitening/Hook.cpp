#include "methods/patch_whitening/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <stdexcept>

namespace fiver::runtime {

namespace {
// Images per chunk while summing patch moments: bounds the unfolded copy.
constexpr int64_t kChunk = 500;
} // namespace

std::pair<torch::Tensor, torch::Tensor> patchCovarianceEigen(const torch::Tensor& images,
                                                             int64_t kernel) {
  namespace F = torch::nn::functional;
  const int64_t dims = images.size(1) * kernel * kernel;
  torch::Tensor sum = torch::zeros({dims}, torch::kFloat64);
  torch::Tensor outer = torch::zeros({dims, dims}, torch::kFloat64);
  int64_t count = 0;
  for (int64_t start = 0; start < images.size(0); start += kChunk) {
    const int64_t n = std::min(kChunk, images.size(0) - start);
    const torch::Tensor x = images.narrow(0, start, n).to(torch::kCPU, torch::kFloat64);
    // [n, C·k², L] -> every patch a row.
    const torch::Tensor patches =
        F::unfold(x, F::UnfoldFuncOptions({kernel, kernel})).transpose(1, 2).reshape({-1, dims});
    sum += patches.sum(0);
    outer += patches.t().mm(patches);
    count += patches.size(0);
  }
  if (count < 2) throw std::runtime_error("patch_whitening: too few patches to estimate from");
  const torch::Tensor mean = sum / static_cast<double>(count);
  const torch::Tensor covariance = outer / static_cast<double>(count) - mean.outer(mean);
  auto [values, vectors] = torch::linalg::eigh(covariance, "L"); // ascending
  return {values.flip({0}), vectors.flip({1}).t().contiguous()};
}

torch::Tensor whiteningFilters(const torch::Tensor& eigenvalues, const torch::Tensor& eigenvectors,
                               int64_t out, double eps) {
  const torch::Tensor scaled = eigenvectors / (eigenvalues.clamp_min(0) + eps).sqrt().unsqueeze(1);
  const torch::Tensor both = torch::cat({scaled, -scaled});
  std::vector<torch::Tensor> rows;
  for (int64_t filled = 0; filled < out; filled += both.size(0))
    rows.push_back(both.narrow(0, 0, std::min(both.size(0), out - filled)));
  return torch::cat(rows);
}

std::string firstConvolution(const PlanModel& model) {
  for (const plan::Op& op : model->ops())
    if (plan::isKind(op.kind, plan::OpKind::Conv)) return op.name;
  return "";
}

int whitenFirstConvolution(PlanModel& model, const torch::Tensor& trainImages, int64_t samples,
                           double eps) {
  const std::string conv = firstConvolution(model);
  if (conv.empty() || trainImages.dim() != 4) return -1;
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> params = model->parametersOf(conv);
  torch::Tensor& weight = params.at(0);
  const int64_t kernel = weight.size(2);
  if (weight.size(1) != trainImages.size(1) || weight.size(3) != kernel)
    throw std::runtime_error("patch_whitening: the first convolution '" + conv +
                             "' is not a square convolution of the input images");
  const auto [values, vectors] = patchCovarianceEigen(
      trainImages.narrow(0, 0, std::min(samples, trainImages.size(0))), kernel);
  const torch::Tensor filters = whiteningFilters(values, vectors, weight.size(0), eps);
  // copy_ keeps the weight's layout (channels-last weights stay so).
  weight.copy_(filters.view(weight.sizes()).to(weight.dtype()));
  weight.set_requires_grad(false);
  weight.mutable_grad() = torch::Tensor();
  for (size_t i = 1; i < params.size(); ++i)
    params[i].zero_(); // a bias starts at zero and trains
  const std::vector<plan::Op>& ops = model->ops();
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].name == conv) return static_cast<int>(i);
  return -1;
}

void PatchWhitening::apply(Event, TrainState& s) {
  if (!s.trainImages) throw std::runtime_error("patch_whitening: no training images to whiten");
  const int index = whitenFirstConvolution(s.model, *s.trainImages, samples_, eps_);
  // Its weight gradient, the only backward work of a first layer without a
  // bias, is gone.
  if (index >= 0 && s.flops && s.model->parametersOf(firstConvolution(s.model)).size() == 1)
    s.flops->freeze(index);
}

namespace {
const HookRegistrar kHook("patch_whitening", [](const MethodArgs& args) {
  return std::make_unique<PatchWhitening>(args.integer("samples"), args.number("eps"));
});
} // namespace

} // namespace fiver::runtime
