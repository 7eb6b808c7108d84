// The runtime side of the architecture passes' op kinds: `blur` (blurpool),
// `squeeze_excite`, a frozen conv with its batch norm folded in
// (layer_freezing), and the autocast regions of mixed_precision.
#pragma once

#include <torch/torch.h>

namespace fiver::runtime {

// A 3x3 binomial low-pass ([1 2 1] x [1 2 1] / 16) on every channel, zero
// padding 1, then subsampling by `stride`.
torch::Tensor blur2d(const torch::Tensor& x, int64_t stride);

// Squeeze-and-excitation: x * sigmoid(up(relu(down(mean_hw(x))))).
class SqueezeExciteImpl : public torch::nn::Module {
public:
  SqueezeExciteImpl(int64_t channels, int64_t hidden);
  torch::Tensor forward(const torch::Tensor& x);

private:
  torch::nn::Linear down_{nullptr}, up_{nullptr};
};
TORCH_MODULE(SqueezeExcite);

// conv followed by an eval-mode batch norm, as one conv: the weights scaled
// by gamma / sqrt(var + eps) per output channel, and the bias
// (b - mean) * gamma / sqrt(var + eps) + beta. Computed from the live
// tensors on each call, so weight averaging (ema, swa) that swaps the
// parameters and statistics stays consistent.
torch::Tensor foldedConvBatchNorm(const torch::Tensor& x, torch::nn::Conv2d& conv,
                                  torch::nn::BatchNorm2d& bn, int64_t stride, int64_t padding);

// Whether this LibTorch can autocast to `dtype` ("bf16" or "fp16") on the
// device of `x`: CPU autocast in LibTorch 1.13 supports bf16 only.
bool autocastSupported(const std::string& dtype, const torch::Tensor& x);

// Enables autocast to `dtype` on x's device for its lifetime (or disables
// it, for fp32 ops inside a mixed-precision model), restoring the previous
// state after.
class AutocastRegion {
public:
  AutocastRegion(bool enabled, const std::string& dtype, const torch::Tensor& x);
  ~AutocastRegion();
  AutocastRegion(const AutocastRegion&) = delete;
  AutocastRegion& operator=(const AutocastRegion&) = delete;

private:
  c10::DeviceType device_;
  bool previous_;
};

} // namespace fiver::runtime
