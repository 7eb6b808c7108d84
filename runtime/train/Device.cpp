#include "runtime/train/Device.h"

#include <stdexcept>

namespace fiver::runtime {

torch::Device resolveDevice(const std::string& name) {
  if (name.empty() || name == "cpu") return torch::kCPU;
  if (name == "auto") return resolveDevice(torch::cuda::is_available() ? "cuda" : "cpu");
  if (name.rfind("cuda", 0) != 0)
    throw std::runtime_error("unknown device '" + name + "' (known: cpu, cuda, cuda:N, auto)");
  if (!torch::cuda::is_available())
    throw std::runtime_error("device '" + name +
                             "' asked for, but this LibTorch build or machine has no CUDA device");
  torch::Device device(name);
  // Training repeats the same convolution shapes every step: let cuDNN time
  // its algorithms once per shape and keep the fastest.
  at::globalContext().setBenchmarkCuDNN(true);
  if (device.has_index() && device.index() >= static_cast<int64_t>(torch::cuda::device_count()))
    throw std::runtime_error("device '" + name + "' asked for, but there are only " +
                             std::to_string(torch::cuda::device_count()) + " CUDA devices");
  return device;
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.has_index() ? device.index() : -1);
}

} // namespace fiver::runtime
