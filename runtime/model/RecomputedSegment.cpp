#include "runtime/model/RecomputedSegment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace fiver::runtime {

namespace {

using torch::autograd::variable_list;

at::Tensor cpuGeneratorState() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void setCpuGeneratorState(const at::Tensor& state) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

bool differentiable(const torch::Tensor& t) {
  return t.defined() && t.is_floating_point();
}

// The backward node of one segment. Its inputs (in autograd's sense) are
// the gradients of the segment's floating-point outputs; its next edges are
// the segment's inputs, then its parameters.
class RecomputeSegmentBackward : public torch::autograd::Node {
public:
  RecomputeSegmentBackward(SegmentFunction segment, std::vector<torch::Tensor> inputs,
                           std::vector<torch::Tensor> parameters,
                           std::vector<torch::Tensor> buffers, at::Tensor generatorState)
      : segment_(std::move(segment)), parameters_(std::move(parameters)),
        buffers_(std::move(buffers)), generatorState_(std::move(generatorState)) {
    for (const torch::Tensor& in : inputs) {
      // Detached: the node must not keep the graph before the segment alive.
      inputs_.push_back(in.detach());
      needsGrad_.push_back(in.requires_grad());
      versions_.push_back(in._version());
    }
  }

  std::string name() const override { return "RecomputeSegmentBackward"; }

  void release_variables() override {
    inputs_.clear();
    parameters_.clear();
    buffers_.clear();
    segment_ = nullptr;
  }

  variable_list apply(variable_list&& outputGrads) override {
    if (!segment_)
      throw std::runtime_error("activation checkpointing: a recomputed segment's backward ran "
                               "twice (retain_graph is not supported)");
    std::vector<torch::Tensor> inputs;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i]._version() != versions_[i])
        throw std::runtime_error(
            "activation checkpointing: an input of a recomputed segment was modified in place "
            "after the segment ran, so its activations cannot be recomputed");
      inputs.push_back(inputs_[i].detach().requires_grad_(needsGrad_[i]));
    }
    std::vector<torch::Tensor> savedBuffers;
    {
      torch::NoGradGuard noGrad;
      for (const torch::Tensor& b : buffers_)
        savedBuffers.push_back(b.clone());
    }
    const at::Tensor generatorNow = cpuGeneratorState();
    setCpuGeneratorState(generatorState_);
    std::vector<torch::Tensor> outputs;
    {
      torch::AutoGradMode recording(true);
      outputs = segment_(inputs);
    }
    setCpuGeneratorState(generatorNow);

    // Backpropagate the outputs' gradients through the recomputation.
    std::vector<torch::Tensor> roots, rootGrads;
    size_t next = 0;
    for (const torch::Tensor& out : outputs) {
      if (!differentiable(out)) continue;
      const torch::Tensor& grad = outputGrads.at(next++);
      if (grad.defined() && out.requires_grad()) {
        roots.push_back(out);
        rootGrads.push_back(grad);
      }
    }
    std::vector<torch::Tensor> wrt;
    std::vector<size_t> wrtSlot; // position in this node's next edges
    for (size_t i = 0; i < inputs.size(); ++i)
      if (needsGrad_[i]) {
        wrt.push_back(inputs[i]);
        wrtSlot.push_back(i);
      }
    for (size_t i = 0; i < parameters_.size(); ++i) {
      wrt.push_back(parameters_[i]);
      wrtSlot.push_back(inputs.size() + i);
    }
    variable_list grads(inputs.size() + parameters_.size());
    if (!roots.empty() && !wrt.empty()) {
      variable_list found = torch::autograd::grad(roots, wrt, rootGrads, /*retain_graph=*/false,
                                                  /*create_graph=*/false, /*allow_unused=*/true);
      for (size_t k = 0; k < found.size(); ++k)
        grads[wrtSlot[k]] = found[k];
    }
    // After the gradients: batch norm's backward reads the buffers it saved.
    {
      torch::NoGradGuard noGrad;
      for (size_t i = 0; i < buffers_.size(); ++i)
        buffers_[i].copy_(savedBuffers[i]);
    }
    release_variables();
    return grads;
  }

private:
  SegmentFunction segment_;
  std::vector<torch::Tensor> inputs_;
  std::vector<bool> needsGrad_;
  std::vector<uint32_t> versions_;
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> buffers_;
  at::Tensor generatorState_;
};

} // namespace

std::vector<torch::Tensor> runRecomputed(SegmentFunction segment,
                                         const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& parameters,
                                         const std::vector<torch::Tensor>& buffers) {
  const bool records =
      torch::GradMode::is_enabled() && (torch::autograd::any_variable_requires_grad(inputs) ||
                                        torch::autograd::any_variable_requires_grad(parameters));
  if (!records) return segment(inputs);

  at::Tensor generatorState = cpuGeneratorState();
  std::vector<torch::Tensor> outputs;
  {
    torch::NoGradGuard noGrad;
    outputs = segment(inputs);
  }
  std::vector<torch::Tensor> edges = inputs;
  edges.insert(edges.end(), parameters.begin(), parameters.end());
  auto node = std::shared_ptr<RecomputeSegmentBackward>(
      new RecomputeSegmentBackward(std::move(segment), inputs, parameters, buffers,
                                   std::move(generatorState)),
      torch::autograd::deleteNode);
  node->set_next_edges(torch::autograd::collect_next_edges(edges));
  for (torch::Tensor& out : outputs) {
    if (!differentiable(out)) continue;
    // An output that is an input or a view of one would carry its history
    // into the input: give the segment its own tensor.
    bool aliases = out.is_view();
    for (const torch::Tensor& in : inputs)
      aliases = aliases || (in.defined() && out.is_alias_of(in));
    if (aliases) out = out.clone();
    torch::autograd::set_history(out, node);
  }
  return outputs;
}

} // namespace fiver::runtime
