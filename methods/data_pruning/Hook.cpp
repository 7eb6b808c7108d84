#include "methods/data_pruning/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

torch::Tensor keptExamples(const torch::Tensor& scores, const torch::Tensor& labels, double keep,
                           bool keepHardest) {
  // Sequences have a label per position, not a class: they form one group.
  const torch::Tensor cpuLabels =
      labels.dim() == 1 ? labels.to(torch::kCPU) : torch::zeros({labels.size(0)}, torch::kInt64);
  torch::Tensor classes = std::get<0>(at::_unique(cpuLabels));
  std::vector<torch::Tensor> kept;
  for (int64_t i = 0; i < classes.size(0); ++i) {
    torch::Tensor members = cpuLabels.eq(classes[i]).nonzero().view(-1);
    const int64_t n = members.size(0);
    const int64_t count = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil(keep * static_cast<double>(n) - 1e-9)), 1, n);
    // A stable sort keeps ties in index order, so the choice is deterministic.
    torch::Tensor order = std::get<1>(
        scores.index_select(0, members).sort(/*stable=*/true, 0, /*descending=*/keepHardest));
    kept.push_back(members.index_select(0, order.narrow(0, 0, count)));
  }
  return std::get<0>(torch::cat(kept).sort());
}

DataPruning::DataPruning(double keep, ExampleScoring scoring, bool keepHardest)
    : keep_(keep), scoring_(std::move(scoring)), keepHardest_(keepHardest) {
  checkScoreName("data_pruning", scoring_.score);
  if (!(keep_ > 0 && keep_ <= 1))
    throw std::runtime_error("method 'data_pruning': keep must be in (0, 1]");
}

// Scores once, before the first epoch: the pruned set is static.
void DataPruning::apply(Event, TrainState& s) {
  BatchLoader& loader = loaderOf(s, "data_pruning");
  double scoringFlops = 0;
  scores_ = scoreExamples(s.plan, loader.split(), scoring_, s.plan.training.seed, &scoringFlops);
  chargeFlops(s, FlopKind::Scoring, scoringFlops);
  kept_ = keptExamples(scores_, loader.split().labels, keep_, keepHardest_);
  loader.setSampler(std::make_unique<SubsetSampler>(kept_, loader.seed()));
}

namespace {
const HookRegistrar kHook("data_pruning", [](const MethodArgs& args) {
  ExampleScoring scoring{args.name("score"), args.integer("score_at"), args.integer("score_seeds")};
  return std::make_unique<DataPruning>(args.number("keep"), scoring, args.flag("keep_hardest"));
});
} // namespace

} // namespace fiver::runtime
