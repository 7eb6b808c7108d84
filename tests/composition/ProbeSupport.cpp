#include "tests/composition/ProbeSupport.h"

#include "compiler/plan/OpKinds.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <set>

namespace fiver::composition {

std::string dims(const torch::Tensor& t) {
  std::string out;
  for (int64_t d : t.sizes())
    out += (out.empty() ? "" : "x") + std::to_string(d);
  return out;
}

std::pair<int64_t, int64_t> stageSize(const plan::Plan& p, int64_t step) {
  std::pair<int64_t, int64_t> size{p.task.inputShape[1], p.task.inputShape[2]};
  for (const plan::ResolutionStage& s : p.resolution)
    if (s.startStep <= step) size = {s.height, s.width};
  return size;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : tensors)
    out.push_back(t.detach().clone());
  return out;
}

double largestDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].is_floating_point())
      worst = std::max(
          worst, (a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64)).abs().max().item<double>());
  return worst;
}

std::vector<std::pair<std::string, torch::Tensor>> weightRows(runtime::PlanModel& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const plan::Op& op : model->ops())
    if (plan::ownsWeightMatrix(op))
      out.emplace_back(op.name, model->parametersOf(op.name)[0].detach().flatten(1));
  return out;
}

runtime::PlanModel modelPrefix(runtime::PlanModel& live, size_t opCount) {
  std::vector<plan::Op> ops(live->ops().begin(),
                            live->ops().begin() + static_cast<std::ptrdiff_t>(opCount));
  runtime::PlanModel part(ops);
  torch::NoGradGuard noGrad;
  const auto params = live->named_parameters();
  const auto buffers = live->named_buffers();
  // Layers narrowed during training (channel_pruning) hold fewer channels
  // than the plan says: the copy takes their shapes too.
  auto take = [](torch::Tensor to, const torch::Tensor& from) {
    if (to.sizes() == from.sizes())
      to.copy_(from);
    else
      to.set_data(from.detach().clone());
  };
  for (auto& p : part->named_parameters())
    take(p.value(), params[p.key()]);
  for (auto& b : part->named_buffers())
    take(b.value(), buffers[b.key()]);
  return part;
}

torch::Tensor opOutput(runtime::PlanModel& live, size_t index, const torch::Tensor& x) {
  runtime::PlanModel part = modelPrefix(live, index + 1);
  part->eval();
  torch::NoGradGuard noGrad;
  return part->forward(x).to(torch::kFloat32);
}

double relativeDifference(const torch::Tensor& actual, const torch::Tensor& expected) {
  const torch::Tensor a = actual.to(torch::kFloat64), e = expected.to(torch::kFloat64);
  return (a - e).abs().max().item<double>() / (e.abs().max().item<double>() + 1e-12);
}

double rateOf(const torch::optim::Optimizer& opt) {
  return opt.param_groups().at(0).options().get_lr();
}

bool closeRate(double a, double b) {
  return std::abs(a - b) <= 1e-9 + 1e-6 * std::abs(b);
}

bool closeLoss(double actual, double expected) {
  return std::abs(actual - expected) <= 1e-4 * std::max(1.0, std::abs(expected));
}

std::string lossComparison(double actual, double expected) {
  return "loss " + std::to_string(actual) + ", expected " + std::to_string(expected);
}

int autogradNodesNamed(const torch::Tensor& t, const std::string& part) {
  if (!t.defined() || !t.grad_fn()) return 0;
  std::vector<torch::autograd::Node*> todo = {t.grad_fn().get()};
  std::set<torch::autograd::Node*> seen;
  int found = 0;
  while (!todo.empty()) {
    torch::autograd::Node* node = todo.back();
    todo.pop_back();
    if (!node || !seen.insert(node).second) continue;
    if (node->name().find(part) != std::string::npos) ++found;
    for (const torch::autograd::Edge& e : node->next_edges())
      todo.push_back(e.function.get());
  }
  return found;
}

} // namespace fiver::composition
