// Low-rank adapters (compiler/plan/LowRankAdapters.h) folded into their
// layers for export: while a FoldedAdapters lives, each adapted layer's
// weight holds W + factor * up * down, so exporting that layer alone computes
// what the layer and its adapter compute together; the adapter's ops are left
// out and its join stands for the layer. The weights are restored on
// destruction, so training and evaluation go on with the adapters.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/model/PlanModel.h"

#include <torch/torch.h>

#include <vector>

namespace fiver::runtime {

class FoldedAdapters {
public:
  FoldedAdapters(const plan::Plan& plan, PlanModelImpl& model);
  ~FoldedAdapters();
  FoldedAdapters(const FoldedAdapters&) = delete;
  FoldedAdapters& operator=(const FoldedAdapters&) = delete;

  // An adapter's down, up or scale op: not exported.
  bool leftOut(size_t op) const { return standsFor_[op] == kLeftOut; }
  // The op whose exported value op `op` is: its layer for a join, else itself.
  size_t valueOf(size_t op) const {
    return standsFor_[op] >= 0 ? static_cast<size_t>(standsFor_[op]) : op;
  }
  size_t count() const { return saved_.size(); }

private:
  static constexpr int kLeftOut = -2;
  std::vector<int> standsFor_; // op -> the op it stands for; -1 itself, kLeftOut none
  std::vector<std::pair<torch::Tensor, torch::Tensor>> saved_; // weight, its value before
};

} // namespace fiver::runtime
