#include "runtime/train/PendingLosses.h"

namespace fiver::runtime {

std::vector<double> PendingLosses::read() {
  if (pending_.empty()) return {};
  if (pending_.size() == 1) { // the CPU's case: no stacking
    const double value = pending_.front().item<double>();
    pending_.clear();
    return {value};
  }
  // One transfer for all of them.
  torch::Tensor values = torch::stack(pending_).to(torch::kCPU, torch::kDouble).contiguous();
  pending_.clear();
  const double* data = values.data_ptr<double>();
  return std::vector<double>(data, data + values.numel());
}

} // namespace fiver::runtime
