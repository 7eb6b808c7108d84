#include "methods/curriculum/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/train/FlopCharges.h"

#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

void checkPacingName(const std::string& pacing) {
  if (pacing != "linear" && pacing != "root" && pacing != "quad" && pacing != "exp" &&
      pacing != "step")
    throw std::runtime_error("method 'curriculum': unknown pacing '" + pacing +
                             "' (known: linear, root, quad, exp, step)");
}

double curriculumFraction(const std::string& pacing, double start, int64_t untilStep,
                          int64_t step) {
  if (untilStep <= 0 || step >= untilStep) return 1.0;
  const double t = static_cast<double>(step) / static_cast<double>(untilStep);
  if (pacing == "step") { // start, 2 start, 4 start, ... reaching the whole set at untilStep
    const double intervals = std::max(1.0, std::ceil(std::log2(1 / std::max(start, 1e-9))));
    return std::min(1.0, start * std::exp2(std::floor(t * intervals)));
  }
  double grown = t;
  if (pacing == "root")
    grown = std::sqrt(t);
  else if (pacing == "quad")
    grown = t * t;
  else if (pacing == "exp")
    grown = std::expm1(10 * t) / std::expm1(10.0);
  return std::min(1.0, start + (1 - start) * grown);
}

CurriculumSampler::CurriculumSampler(torch::Tensor easiestFirst, std::unique_ptr<Sampler> base,
                                     uint64_t seed)
    : ranking_(easiestFirst.to(torch::kCPU, torch::kInt64).contiguous()), base_(std::move(base)),
      seed_(seed), pool_(ranking_.size(0)) {}

torch::Tensor CurriculumSampler::next(int64_t count) {
  // The wrapped sampler still advances, so the epoch has its usual length.
  torch::Tensor ordinary = base_->next(count);
  const int64_t n = ordinary.size(0);
  if (n == 0 || pool_ >= ranking_.size(0)) return ordinary;
  const int64_t pool = std::max<int64_t>(1, pool_);
  torch::Generator gen = seededGenerator(seed_ + 31, ++draws_);
  torch::Tensor picks = n <= pool ? torch::randperm(pool, gen, torch::kInt64).narrow(0, 0, n)
                                  : torch::randint(0, pool, {n}, gen, torch::kInt64);
  return ranking_.index_select(0, picks);
}

Curriculum::Curriculum(std::string pacing, double start, double until, ExampleScoring scoring)
    : pacing_(std::move(pacing)), start_(start), until_(until), scoring_(std::move(scoring)) {
  checkPacingName(pacing_);
  checkScoreName("curriculum", scoring_.score);
}

void Curriculum::apply(Event e, TrainState& s) {
  const auto untilStep =
      static_cast<int64_t>(std::llround(until_ * static_cast<double>(s.plan.training.totalSteps)));
  if (e == Event::FitStart) {
    BatchLoader& loader = loaderOf(s, "curriculum");
    double scoringFlops = 0;
    torch::Tensor scores =
        scoreExamples(s.plan, loader.split(), scoring_, s.plan.training.seed, &scoringFlops);
    chargeFlops(s, FlopKind::Scoring, scoringFlops);
    std::unique_ptr<Sampler> base = loader.takeSampler();
    if (auto* subset = dynamic_cast<SubsetSampler*>(base.get())) { // pruned: rank the kept
      torch::Tensor kept = subset->indices();
      ranking_ = kept.index_select(
          0, std::get<1>(scores.index_select(0, kept).sort(/*stable=*/true, 0, false)));
    } else {
      ranking_ = std::get<1>(scores.sort(/*stable=*/true, 0, /*descending=*/false));
    }
    auto sampler = std::make_unique<CurriculumSampler>(ranking_, std::move(base), loader.seed());
    sampler_ = sampler.get();
    loader.setSampler(std::move(sampler));
  }
  if (!sampler_) return;
  // BATCH_END comes before the step counter moves on: size the pool for the next step.
  const int64_t nextStep = e == Event::FitStart ? s.step : s.step + 1;
  const double fraction = curriculumFraction(pacing_, start_, untilStep, nextStep);
  const auto n = static_cast<double>(ranking_.size(0));
  sampler_->setPool(
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(fraction * n)), 1, ranking_.size(0)));
}

namespace {
const HookRegistrar kHook("curriculum", [](const MethodArgs& args) {
  ExampleScoring scoring{args.name("score"), args.integer("score_at"), 1};
  return std::make_unique<Curriculum>(args.name("pacing"), args.number("start"),
                                      args.number("until"), scoring);
});
} // namespace

} // namespace fiver::runtime
