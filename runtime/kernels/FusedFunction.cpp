#include "runtime/kernels/FusedFunction.h"

#include "runtime/kernels/CpuFusedKernel.h"
#include "runtime/kernels/CudaFusedKernel.h"
#include "runtime/kernels/EagerEvaluator.h"

#include <algorithm>

namespace fiver::kernels {

namespace {

// Under autocast a group can meet a 16-bit activation and an fp32 residual,
// or two layouts. Inputs of one shape are brought to their promoted dtype (the
// dtype eager ops would return) and the first one's layout, so that the group
// still runs as one kernel. Inputs of other shapes are left for the kernel to
// refuse.
std::vector<torch::Tensor> unifyInputs(const std::vector<torch::Tensor>& inputs) {
  const torch::Tensor* first = nullptr;
  torch::ScalarType type = torch::kFloat;
  for (const torch::Tensor& t : inputs) {
    if (!t.defined()) continue;
    type = first ? torch::promote_types(type, t.scalar_type()) : t.scalar_type();
    if (!first) first = &t;
  }
  if (!first) return inputs;
  const torch::MemoryFormat format = first->suggest_memory_format();
  std::vector<torch::Tensor> unified;
  for (const torch::Tensor& t : inputs)
    unified.push_back(t.defined() && t.sizes() == first->sizes() ? t.to(type).contiguous(format)
                                                                 : t);
  return unified;
}

// CPU and CUDA tensors run generated kernels; anything it cannot handle runs the
// same expression eagerly, with the reason logged once.
torch::Tensor evaluate(const Node& expr, const std::vector<torch::Tensor>& inputs,
                       const std::vector<torch::Tensor>& params) {
  std::string why;
  bool cuda = std::any_of(inputs.begin(), inputs.end(),
                          [](const torch::Tensor& t) { return t.defined() && t.is_cuda(); });
  const std::vector<torch::Tensor> unified = unifyInputs(inputs);
  std::optional<torch::Tensor> out =
      cuda ? runCudaFused(expr, unified, params, why) : runCpuFused(expr, unified, params, why);
  if (out) return *out;
  TORCH_WARN_ONCE("fused kernel unavailable, running eagerly: ", why);
  return evaluateEager(expr, inputs, params);
}

// Sums an elementwise gradient down to a [C] parameter broadcast along dim 1.
torch::Tensor reduceToChannels(torch::Tensor g, at::IntArrayRef outSizes, int64_t channels) {
  g = g.expand(outSizes);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < g.dim(); ++d)
    if (d != 1) dims.push_back(d);
  return (dims.empty() ? g : g.sum(dims)).reshape({channels});
}

struct FusedFunction : torch::autograd::Function<FusedFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const FusedProgram* program, at::TensorList args) {
    std::vector<torch::Tensor> inputs(args.begin(), args.begin() + program->inputs);
    std::vector<torch::Tensor> params(args.begin() + program->inputs, args.end());
    torch::Tensor out = evaluate(*program->forward, inputs, params);
    // Unsaved inputs are replaced by undefined tensors so their memory is freed.
    torch::autograd::variable_list keep;
    for (int i = 0; i < program->inputs; ++i)
      keep.push_back(program->savedInputs[static_cast<size_t>(i)] ? inputs[static_cast<size_t>(i)]
                                                                  : torch::Tensor());
    for (const torch::Tensor& p : params)
      keep.push_back(p);
    ctx->save_for_backward(keep);
    ctx->saved_data["program"] = reinterpret_cast<int64_t>(program);
    ctx->saved_data["out_sizes"] = out.sizes().vec();
    return {out};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list gradOut) {
    const auto* program = reinterpret_cast<const FusedProgram*>(ctx->saved_data["program"].toInt());
    std::vector<int64_t> outSizes = ctx->saved_data["out_sizes"].toIntVector();
    torch::autograd::variable_list saved = ctx->get_saved_variables();
    std::vector<torch::Tensor> inputs(saved.begin(), saved.begin() + program->inputs);
    std::vector<torch::Tensor> params(saved.begin() + program->inputs, saved.end());
    inputs.push_back(gradOut[0].contiguous(gradOut[0].suggest_memory_format()));
    torch::autograd::variable_list grads;
    grads.push_back(torch::Tensor()); // the program pointer
    for (int i = 0; i < program->inputs; ++i) {
      const NodePtr& g = program->backward.inputGrads[static_cast<size_t>(i)];
      torch::Tensor gi;
      if (g) {
        // A gradient that passes straight through (an add's) is the incoming
        // gradient itself: no kernel, no copy.
        gi = (g->kind == Node::Kind::Input ? inputs[static_cast<size_t>(g->index)]
                                           : evaluate(*g, inputs, params))
                 .expand(outSizes);
        gi = gi.to(gradOut[0].scalar_type()).contiguous(gradOut[0].suggest_memory_format());
      }
      grads.push_back(gi);
    }
    for (int k = 0; k < program->params; ++k) {
      const NodePtr& g = program->backward.paramGrads[static_cast<size_t>(k)];
      const torch::Tensor& p = params[static_cast<size_t>(k)];
      grads.push_back(g ? reduceToChannels(evaluate(*g, inputs, params), outSizes, p.numel())
                              .to(p.scalar_type())
                        : torch::Tensor());
    }
    return grads;
  }
};

} // namespace

torch::Tensor applyFused(const FusedProgram& program, const std::vector<torch::Tensor>& inputs,
                         const std::vector<torch::Tensor>& params) {
  torch::autograd::variable_list args(inputs.begin(), inputs.end());
  args.insert(args.end(), params.begin(), params.end());
  // A TensorList, not a vector: apply() only tracks tensors passed that way.
  return FusedFunction::apply(&program, at::TensorList(args))[0];
}

} // namespace fiver::kernels
