// The differences between the LibTorch builds FiveR compiles against, kept in
// one place: Debian's LibTorch 1.13 (CPU; CI) and PyTorch's LibTorch 2.x (CUDA;
// found through CMAKE_PREFIX_PATH). Code elsewhere calls these helpers and
// never tests the version itself.
#pragma once

#include <ATen/autocast_mode.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>
#include <string>

#define FIVER_TORCH_AT_LEAST(major, minor)                                                         \
  (TORCH_VERSION_MAJOR > (major) ||                                                                \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace fiver::torchcompat {

// torch::optim::Optimizer::state() is keyed by the parameter's TensorImpl: its
// address printed as a string in 1.x, the address itself in 2.x.
#if FIVER_TORCH_AT_LEAST(2, 0)
using OptimizerStateKey = void*;
inline OptimizerStateKey optimizerStateKey(const torch::Tensor& p) {
  return p.unsafeGetTensorImpl();
}
#else
using OptimizerStateKey = std::string;
inline OptimizerStateKey optimizerStateKey(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}
#endif

// Autocast switches per device type. 2.4 made them generic over the device
// and deprecated the per-device functions 1.13 has.
inline bool autocastEnabled(c10::DeviceType device) {
#if FIVER_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                         : at::autocast::is_cpu_enabled();
#endif
}

inline void setAutocastEnabled(c10::DeviceType device, bool enabled) {
#if FIVER_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA)
    at::autocast::set_enabled(enabled);
  else
    at::autocast::set_cpu_enabled(enabled);
#endif
}

inline void setAutocastDtype(c10::DeviceType device, at::ScalarType dtype) {
#if FIVER_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::DeviceType::CUDA)
    at::autocast::set_autocast_gpu_dtype(dtype);
  else
    at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

// The CUstream LibTorch is queueing work on for `device`, so that kernels
// launched through the driver API run in order with it. 1.13 cannot name it
// without its CUDA headers; there LibTorch only uses the legacy default
// stream, which nullptr names.
inline void* currentCudaStream(const torch::Device& device) {
#if FIVER_TORCH_AT_LEAST(2, 2)
  return c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->getStream(device).native_handle();
#else
  (void)device;
  return nullptr;
#endif
}

// LibTorch's fused scaled-dot-product attention (FlashAttention and the
// memory-efficient kernels on CUDA), from 2.0 on: softmax(q k^T / sqrt(d) +
// mask) v over [B, H, T, d], causal without a mask, or with an additive one.
constexpr bool kHasScaledDotProductAttention = FIVER_TORCH_AT_LEAST(2, 0);

inline torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k,
                                               const torch::Tensor& v,
                                               const torch::Tensor& additiveMask) {
#if FIVER_TORCH_AT_LEAST(2, 0)
  if (additiveMask.defined())
    return at::scaled_dot_product_attention(q, k, v, additiveMask, 0.0, /*is_causal=*/false);
  return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
#else
  (void)q, (void)k, (void)v, (void)additiveMask;
  throw std::logic_error("scaled_dot_product_attention needs LibTorch 2.0 or later");
#endif
}

} // namespace fiver::torchcompat
