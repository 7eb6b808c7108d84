// mixed_precision's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

#include <torch/csrc/autograd/function.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace fiver::composition {
namespace {

// Convolutions and matrix products, by the names of their backward nodes
// (ConvolutionBackward0, MkldnnConvolutionBackward0, AddmmBackward0,
// MmBackward0, BmmBackward0).
bool isProduct(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name.find("convolution") != std::string::npos ||
         name.find("mmbackward") != std::string::npos;
}

// Mixed precision: every convolution and matrix product of the training
// forward computes in bf16 (the dtype of its output, read off the autograd
// graph of the step's output), while the weights the optimizer updates, and
// their gradients, stay fp32.
class LowPrecisionProducts : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterForward || !s.output.grad_fn()) return;
    int64_t low = 0, full = 0;
    std::set<torch::autograd::Node*> seen;
    std::vector<torch::autograd::Node*> pending = {s.output.grad_fn().get()};
    while (!pending.empty()) {
      torch::autograd::Node* node = pending.back();
      pending.pop_back();
      if (!node || !seen.insert(node).second) continue;
      if (isProduct(node->name()) && node->num_inputs() > 0)
        ++(node->input_metadata(0).dtype() == caffe2::TypeMeta::Make<c10::BFloat16>() ? low : full);
      for (const torch::autograd::Edge& edge : node->next_edges())
        pending.push_back(edge.function.get());
    }
    expect(low > 0 && full == 0, "step " + std::to_string(s.step) + ": " + std::to_string(full) +
                                     " convolutions or matrix products computed in fp32, " +
                                     std::to_string(low) + " in bf16");
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    for (const torch::Tensor& p : s.model->parameters())
      expect(p.scalar_type() == torch::kFloat32 &&
                 (!p.grad().defined() || p.grad().scalar_type() == torch::kFloat32),
             "step " + std::to_string(s.step) + ": a master weight or its gradient is not fp32");
  }
};

const EffectRegistrar kEffect(MethodUnderTest{
    "mixed_precision",
    "restrict model_parameters static domain mixed_precision",
    {InputKind::Image, InputKind::Text},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<LowPrecisionProducts>();
    },
    {{"activation_checkpointing",
      "its segments record their products only when the backward pass recomputes them, not in "
      "the forward graph this probe reads"}}});

} // namespace
} // namespace fiver::composition
