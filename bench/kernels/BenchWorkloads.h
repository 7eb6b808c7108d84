// The workloads the kernel benchmarks share between the CPU and the CUDA back
// ends: chains of elementwise ops over 1M-64M floats, and ResNet-18's
// parameters with gradients for one optimizer step.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace fiver::bench {

// Two inputs, one output: the traffic of a STREAM triad.
inline const char* const kChains[] = {
    "relu(add(mul(%0,%1),%0))",                           // 3 ops
    "sigmoid(relu(add(mul(%0,%1),%0)))",                  // 4
    "mul(sigmoid(relu(add(mul(%0,%1),%0))),%1)",          // 5
    "add(mul(sigmoid(relu(add(mul(%0,%1),%0))),%1),0.5)", // 6
};
inline constexpr int kChainCount = 4;
inline constexpr int64_t kSizes[] = {int64_t{1} << 20, int64_t{1} << 24, int64_t{1} << 26};

// torchvision's resnet18: stem, 4 stages of 2 basic blocks (stages 2-4 with
// a 1x1 downsample in their first block), classifier.
inline std::vector<std::vector<int64_t>> resnet18Shapes() {
  std::vector<std::vector<int64_t>> s = {{64, 3, 7, 7}, {64}, {64}};
  auto bn = [&](int64_t c) {
    s.push_back({c});
    s.push_back({c});
  };
  int64_t in = 64;
  for (int64_t out : {64, 128, 256, 512})
    for (int block = 0; block < 2; ++block) {
      s.push_back({out, block == 0 ? in : out, 3, 3});
      bn(out);
      s.push_back({out, out, 3, 3});
      bn(out);
      if (block == 0 && in != out) {
        s.push_back({out, in, 1, 1});
        bn(out);
      }
      in = out;
    }
  s.push_back({1000, 512});
  s.push_back({1000});
  return s;
}

// One copy of ResNet-18's parameters with gradients on `device` (seed 0),
// split into a decaying group (weights) and a non-decaying one (biases,
// norms), as makeOptimizer does.
struct ResNet18Parameters {
  explicit ResNet18Parameters(torch::Device device = torch::kCPU) {
    torch::manual_seed(0);
    for (const auto& shape : resnet18Shapes()) {
      torch::Tensor p = torch::randn(shape, device).mul_(0.05).set_requires_grad(true);
      p.mutable_grad() = torch::randn(shape, device).mul_(0.01);
      (shape.size() > 1 ? decay : noDecay).push_back(p);
      floats += p.numel();
    }
  }
  template <typename Options>
  std::vector<torch::optim::OptimizerParamGroup> groups(const Options& withDecay) const {
    Options without = withDecay;
    without.weight_decay(0);
    std::vector<torch::optim::OptimizerParamGroup> g;
    g.emplace_back(decay, std::make_unique<Options>(withDecay));
    g.emplace_back(noDecay, std::make_unique<Options>(without));
    return g;
  }
  std::vector<torch::Tensor> decay, noDecay;
  int64_t floats = 0;
};

} // namespace fiver::bench
