#include "runtime/export/FoldedAdapters.h"

#include "compiler/plan/LowRankAdapters.h"

namespace fiver::runtime {

FoldedAdapters::FoldedAdapters(const plan::Plan& plan, PlanModelImpl& model)
    : standsFor_(plan.ops.size(), -1) {
  torch::NoGradGuard noGrad;
  for (const plan::LowRankAdapter& a : plan::lowRankAdapters(plan.ops)) {
    auto weightOf = [&](int op) {
      return model.parametersOf(plan.ops[static_cast<size_t>(op)].name).at(0);
    };
    torch::Tensor weight = weightOf(a.base);
    const torch::Tensor down = weightOf(a.down), up = weightOf(a.up);
    // A conv's [out, r, 1, 1] times [r, in, k, k], or a linear's [out, r]
    // times [r, in]: [out, in * k * k] either way.
    const torch::Tensor update =
        torch::mm(up.reshape({up.size(0), -1}), down.reshape({down.size(0), -1})) * a.factor;
    saved_.emplace_back(weight, weight.clone());
    weight.add_(update.reshape(weight.sizes()));
    for (int part : {a.down, a.up, a.scale})
      standsFor_[static_cast<size_t>(part)] = kLeftOut;
    standsFor_[static_cast<size_t>(a.join)] = a.base;
  }
}

FoldedAdapters::~FoldedAdapters() {
  torch::NoGradGuard noGrad;
  for (auto& [weight, before] : saved_)
    weight.copy_(before);
}

} // namespace fiver::runtime
