#include "runtime/methods/OptimizedParameters.h"

namespace fiver::runtime {

std::vector<torch::Tensor> optimizedParameters(const torch::optim::Optimizer& opt) {
  std::vector<torch::Tensor> params;
  for (const auto& group : opt.param_groups())
    for (const torch::Tensor& p : group.params())
      params.push_back(p);
  return params;
}

} // namespace fiver::runtime
