// The runtime hook of curriculum: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/methods/ExampleScores.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- curriculum: batches drawn from the easiest fraction, which grows ---
// After data_pruning (declared `after`) it ranks only the kept examples.
// The fraction of the data (easiest first) batches come from at `step`.
// pacing (Wu et al.): linear, root (fast growth), quad (slow growth), exp
// (slower still), step (the pool doubles at equal intervals).
double curriculumFraction(const std::string& pacing, double start, int64_t untilStep, int64_t step);
void checkPacingName(const std::string& pacing);

// While the pool is smaller than the data, draws each batch uniformly from the
// `pool` easiest examples; the epoch keeps the wrapped sampler's length, and
// at full pool the wrapped sampler's order is used unchanged.
class CurriculumSampler : public Sampler {
public:
  CurriculumSampler(torch::Tensor easiestFirst, std::unique_ptr<Sampler> base, uint64_t seed);
  void startEpoch(int64_t epoch) override { base_->startEpoch(epoch); }
  torch::Tensor next(int64_t count) override;
  void setPool(int64_t pool) { pool_ = pool; }
  int64_t pool() const { return pool_; }

private:
  torch::Tensor ranking_;
  std::unique_ptr<Sampler> base_;
  uint64_t seed_;
  int64_t pool_;
  uint64_t draws_ = 0;
};

class Curriculum : public Method {
public:
  Curriculum(std::string pacing, double start, double until, ExampleScoring scoring);
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchEnd;
  }
  void apply(Event e, TrainState& s) override;
  const torch::Tensor& easiestFirst() const { return ranking_; }
  int64_t pool() const { return sampler_ ? sampler_->pool() : 0; }

private:
  std::string pacing_;
  double start_, until_;
  ExampleScoring scoring_;
  torch::Tensor ranking_;
  CurriculumSampler* sampler_ = nullptr; // owned by the loader
};

} // namespace fiver::runtime
