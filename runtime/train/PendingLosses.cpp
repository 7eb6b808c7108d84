#include "runtime/train/PendingLosses.h"

namespace fiver::runtime {

std::vector<double> PendingLosses::read() {
  if (pending_.empty()) return {};
  // One transfer for all of them.
  torch::Tensor values = torch::stack(pending_).to(torch::kCPU, torch::kDouble).contiguous();
  pending_.clear();
  const double* data = values.data_ptr<double>();
  return std::vector<double>(data, data + values.numel());
}

} // namespace fiver::runtime
