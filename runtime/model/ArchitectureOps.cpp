#include "runtime/model/ArchitectureOps.h"

#include "runtime/TorchCompat.h"

namespace fiver::runtime {

torch::Tensor blur2d(const torch::Tensor& x, int64_t stride) {
  const int64_t channels = x.size(1);
  torch::Tensor taps = torch::tensor({1.0, 2.0, 1.0}, x.options().dtype(torch::kFloat32));
  torch::Tensor kernel = torch::outer(taps, taps) / 16.0;
  kernel = kernel.view({1, 1, 3, 3}).expand({channels, 1, 3, 3}).contiguous();
  return torch::conv2d(x, kernel.to(x.scalar_type()), {}, stride, 1, 1, channels);
}

SqueezeExciteImpl::SqueezeExciteImpl(int64_t channels, int64_t hidden) {
  down_ = register_module("down", torch::nn::Linear(channels, hidden));
  up_ = register_module("up", torch::nn::Linear(hidden, channels));
}

torch::Tensor SqueezeExciteImpl::forward(const torch::Tensor& x) {
  torch::Tensor gate = torch::sigmoid(up_->forward(torch::relu(down_->forward(x.mean({2, 3})))));
  return x * gate.view({x.size(0), x.size(1), 1, 1}).to(x.scalar_type());
}

torch::Tensor foldedConvBatchNorm(const torch::Tensor& x, torch::nn::Conv2d& conv,
                                  torch::nn::BatchNorm2d& bn, int64_t stride, int64_t padding) {
  const double eps = bn->options.eps();
  torch::Tensor scale = torch::rsqrt(bn->running_var + eps);
  if (bn->weight.defined()) scale = scale * bn->weight;
  torch::Tensor shift = -bn->running_mean * scale;
  if (bn->bias.defined()) shift = shift + bn->bias;
  if (conv->bias.defined()) shift = shift + conv->bias * scale;
  torch::Tensor weight = conv->weight * scale.view({-1, 1, 1, 1});
  if (conv->weight.is_contiguous(torch::MemoryFormat::ChannelsLast) && conv->weight.size(1) > 1)
    weight = weight.contiguous(torch::MemoryFormat::ChannelsLast);
  return torch::conv2d(x, weight, shift, stride, padding, /*dilation=*/1, conv->options.groups());
}

bool autocastSupported(const std::string& dtype, const torch::Tensor& x) {
  if (x.is_cuda()) return dtype == "bf16" || dtype == "fp16";
  return dtype == "bf16";
}

AutocastRegion::AutocastRegion(bool enabled, const std::string& dtype, const torch::Tensor& x)
    : device_(x.device().type()), previous_(torchcompat::autocastEnabled(device_)) {
  torchcompat::setAutocastEnabled(device_, enabled);
  if (enabled) torchcompat::setAutocastDtype(device_, dtype == "fp16" ? at::kHalf : at::kBFloat16);
}

AutocastRegion::~AutocastRegion() {
  torchcompat::setAutocastEnabled(device_, previous_);
}

} // namespace fiver::runtime
