// The device a run trains on. The CPU build and the CUDA build share this
// code: asking for CUDA where LibTorch has none is a clear error, not a crash.
#pragma once

#include <torch/torch.h>

#include <string>

namespace fiver::runtime {

// "cpu", "cuda", "cuda:N", or "auto" (CUDA when available, else the CPU).
torch::Device resolveDevice(const std::string& name);

// Waits for the device's queued work, so that wall-clock readings mean
// something; a no-op on the CPU.
void synchronize(const torch::Device& device);

} // namespace fiver::runtime
