// The parameters an optimizer updates, for methods that act on them.
#pragma once

#include "runtime/train/Method.h"

#include <vector>

namespace fiver::runtime {

// Every parameter the optimizer updates.
std::vector<torch::Tensor> optimizedParameters(const torch::optim::Optimizer& opt);

} // namespace fiver::runtime
