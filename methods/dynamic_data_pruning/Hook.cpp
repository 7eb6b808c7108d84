#include "methods/dynamic_data_pruning/Hook.h"
#include "methods/data_pruning/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/Loss.h"

#include <limits>
#include <stdexcept>

namespace fiver::runtime {

namespace {

// The draws of epoch `epoch`, a stream apart from the samplers' permutations.
torch::Tensor epochNoise(int64_t n, uint64_t seed, int64_t epoch) {
  torch::Generator gen = seededGenerator(seed, (1ULL << 32) + static_cast<uint64_t>(epoch));
  return torch::rand({n}, gen, torch::kFloat64);
}

} // namespace

torch::Tensor randomEpochSubset(const torch::Tensor& candidates, const torch::Tensor& labels,
                                double keep, uint64_t seed, int64_t epoch) {
  const torch::Tensor noise = epochNoise(candidates.size(0), seed, epoch);
  return candidates.index_select(0, keptExamples(noise, labels, keep, /*keepHardest=*/true));
}

torch::Tensor hardestEpochSubset(const torch::Tensor& candidates, const torch::Tensor& labels,
                                 const torch::Tensor& lastLoss, double keep, uint64_t seed,
                                 int64_t epoch) {
  const torch::Tensor noise = epochNoise(candidates.size(0), seed, epoch);
  const torch::Tensor loss = lastLoss.to(torch::kFloat64);
  // Never-seen examples outrank every loss, in a random order of their own.
  const torch::Tensor score = torch::where(loss.isinf(), 1e300 * (1 + noise), loss);
  return candidates.index_select(0, keptExamples(score, labels, keep, /*keepHardest=*/true));
}

DynamicDataPruning::DynamicDataPruning(double keep, std::string score)
    : keep_(keep), score_(std::move(score)) {
  if (score_ != "random" && score_ != "loss")
    throw std::runtime_error("method 'dynamic_data_pruning': unknown score '" + score_ +
                             "' (random or loss)");
  if (!(keep_ > 0 && keep_ <= 1))
    throw std::runtime_error("method 'dynamic_data_pruning': keep must be in (0, 1]");
}

torch::Tensor DynamicDataPruning::chooseEpoch(int64_t epoch) const {
  const torch::Tensor labels =
      split_->labels.index_select(0, candidates_.to(split_->labels.device()));
  if (score_ == "random") return randomEpochSubset(candidates_, labels, keep_, seed_, epoch);
  return hardestEpochSubset(candidates_, labels, lastLoss_.index_select(0, candidates_), keep_,
                            seed_, epoch);
}

void DynamicDataPruning::apply(Event e, TrainState& s) {
  if (e == Event::AfterForward) return recordLosses(s);
  if (score_ == "loss" && s.collectives)
    throw std::runtime_error("method 'dynamic_data_pruning': score: loss needs a single process "
                             "(each rank sees only its share of the losses)");
  BatchLoader& loader = loaderOf(s, "dynamic_data_pruning");
  split_ = &loader.split();
  seed_ = loader.seed();
  const int64_t n = split_->size();
  // After data_pruning, the epochs choose among the examples it kept.
  std::unique_ptr<Sampler> base = loader.takeSampler();
  auto* pruned = dynamic_cast<SubsetSampler*>(base.get());
  candidates_ = pruned ? pruned->indices() : torch::arange(n, torch::kInt64);
  lastLoss_ = torch::full({n}, std::numeric_limits<float>::infinity(), torch::kFloat32);
  auto sampler = std::make_unique<EpochSubsetSampler>(
      [this](int64_t epoch) { return chooseEpoch(epoch); }, seed_);
  sampler_ = sampler.get();
  loader.setSampler(std::move(sampler));
}

// The step's forward outputs give each example's training loss for free.
void DynamicDataPruning::recordLosses(const TrainState& s) {
  if (!s.loader || !s.output.defined()) return;
  const torch::Tensor indices = s.loader->lastIndices().to(torch::kCPU, torch::kInt64);
  // A method that changed the batch's examples (repeats, a selection)
  // leaves rows that no longer line up with the loaded indices.
  if (s.output.size(0) != indices.size(0) || s.labels.size(0) != indices.size(0)) return;
  torch::NoGradGuard noGrad;
  const torch::Tensor losses =
      crossEntropyPerExample(s.output.detach().to(torch::kFloat32), s.labels)
          .to(torch::kCPU, torch::kFloat32);
  lastLoss_.index_copy_(0, indices, losses);
}

void DynamicDataPruning::saveState(MethodState& out) const {
  out["last_loss"] = lastLoss_.clone();
  out["epoch"] = torch::tensor(sampler_ ? sampler_->epoch() : -1, torch::kInt64);
  if (sampler_ && sampler_->indices().defined()) out["epoch_subset"] = sampler_->indices().clone();
}

void DynamicDataPruning::loadState(const MethodState& in) {
  lastLoss_.copy_(in.at("last_loss"));
  const int64_t epoch = in.at("epoch").item<int64_t>();
  if (sampler_ && epoch >= 0) sampler_->restore(epoch, in.at("epoch_subset"));
}

namespace {
const HookRegistrar kHook("dynamic_data_pruning", [](const MethodArgs& args) {
  return std::make_unique<DynamicDataPruning>(args.number("keep"), args.name("score"));
});
} // namespace

} // namespace fiver::runtime
