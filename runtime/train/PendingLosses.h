// The per-step training losses, read from the device a few steps at a time.
// Reading a CUDA tensor waits for the GPU to finish everything queued before
// it: reading every step would stop the host from queueing the next step's
// kernels while the GPU runs this one. On the CPU there is nothing to overlap,
// and every step's loss is read at once.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace fiver::runtime {

class PendingLosses {
public:
  explicit PendingLosses(bool deferred) : deferred_(deferred) {}

  void add(const torch::Tensor& loss) { pending_.push_back(loss.detach()); }
  // Whether the losses should be read after `step` (counted from 1).
  bool due(int64_t step) const { return !deferred_ || step % kReadEvery == 0; }
  bool empty() const { return pending_.empty(); }
  // The losses added since the last read, in order; waits for the device.
  std::vector<double> read();

private:
  static constexpr int64_t kReadEvery = 10;
  bool deferred_;
  std::vector<torch::Tensor> pending_;
};

} // namespace fiver::runtime
