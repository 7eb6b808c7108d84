#include "methods/muon/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/ReplacedOptimizer.h"
#include "runtime/optim/Muon.h"
#include "runtime/optim/Optimizer.h"

#include <set>
#include <stdexcept>

namespace fiver::runtime {

std::vector<torch::Tensor> hiddenMatrices(PlanModel& model) {
  std::set<const void*> kept; // embeddings' and the output layer's parameters
  const plan::Op* head = nullptr;
  for (const plan::Op& op : model->ops()) {
    if (op.kind == "linear") head = &op;
    if (op.kind == "embedding")
      for (const torch::Tensor& t : model->parametersOf(op.name))
        kept.insert(t.unsafeGetTensorImpl());
  }
  if (head)
    for (const torch::Tensor& t : model->parametersOf(head->name))
      kept.insert(t.unsafeGetTensorImpl());
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : model->parameters())
    if (t.dim() >= 2 && !kept.count(t.unsafeGetTensorImpl())) out.push_back(t);
  return out;
}

namespace {

// The recipe optimizer's rule for the parameters Muon leaves to it.
MuonOptions restOptions(const plan::Call& o, double lr) {
  MuonOptions rest(lr);
  rest.weight_decay(plan::getNumber(o.params, "weight_decay", 0));
  if (o.kind == "sgd")
    return rest.rule(static_cast<int64_t>(MuonRule::Sgd))
        .momentum(plan::getNumber(o.params, "momentum", 0.9))
        .nesterov(plan::getNumber(o.params, "nesterov", 1) != 0);
  if (o.kind == "adamw")
    return rest.rule(static_cast<int64_t>(MuonRule::AdamW))
        .beta1(plan::getNumber(o.params, "beta1", 0.9))
        .beta2(plan::getNumber(o.params, "beta2", 0.999))
        .eps(plan::getNumber(o.params, "eps", 1e-8));
  throw std::runtime_error("muon: unknown optimizer '" + o.kind + "' for the other parameters");
}

} // namespace

std::unique_ptr<torch::optim::Optimizer> makeMuonOptimizer(const plan::Method& m,
                                                           const plan::Plan& p, PlanModel& model) {
  const double peak = peakLearningRate(p.optimizer);
  if (!(peak > 0)) throw std::runtime_error("muon: the recipe's optimizer needs a positive lr");
  MuonOptions muon(peak);
  muon.lr_scale(plan::getNumber(m.params, "lr", 0.02) / peak)
      .momentum(plan::getNumber(m.params, "momentum", 0.95))
      .ns_steps(static_cast<int64_t>(plan::getNumber(m.params, "ns_steps", 5)))
      .nesterov(true);
  const MuonOptions rest = restOptions(p.optimizer, peak);
  MuonOptions restNoDecay = rest;
  restNoDecay.weight_decay(0);
  const std::vector<torch::Tensor> matrices = hiddenMatrices(model);
  std::set<const void*> orthogonalized;
  for (const torch::Tensor& t : matrices)
    orthogonalized.insert(t.unsafeGetTensorImpl());
  std::vector<torch::Tensor> decayed, undecayed;
  for (const torch::Tensor& t : model->parameters())
    if (!orthogonalized.count(t.unsafeGetTensorImpl()))
      (t.dim() >= 2 ? decayed : undecayed).push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(matrices, std::make_unique<MuonOptions>(muon));
  if (!decayed.empty()) groups.emplace_back(decayed, std::make_unique<MuonOptions>(rest));
  if (!undecayed.empty())
    groups.emplace_back(undecayed, std::make_unique<MuonOptions>(restNoDecay));
  return std::make_unique<Muon>(std::move(groups), muon);
}

namespace {
const HookRegistrar kHook("muon", [](const MethodArgs& args) {
  return std::make_unique<ReplacedOptimizer>(args.method(), makeMuonOptimizer);
});
} // namespace

} // namespace fiver::runtime
