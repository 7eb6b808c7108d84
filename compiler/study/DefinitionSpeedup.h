// The (ε, δ)-speedup as Definition 2.1 of the survey states it: a run of the
// changed recipe R' (time T', quality Q') against a run of the base recipe R
// (time T, quality Q):
//   ε = T / T'        δ = (Q' − Q) / Q
// R' is R changed algorithmically and nothing else, so the run of R it is
// compared with is the reference at the same grid point: the same budget
// (the same number of training steps). Over seeds, T, T', Q and Q' are the
// means of each side's runs; seeds are not paired, since a changed recipe
// draws its random numbers differently from the base one.
//
// Unlike a reading against the reference's whole curve, this pair shows a
// trade-off when there is one: a recipe faster than R at the same budget but
// less accurate has ε > 1 and δ < 0.
#pragma once

#include "compiler/study/StudyResults.h"
#include "compiler/study/Verdict.h"

#include <optional>

namespace fiver::study {

// A confidence interval; `high` is +∞ when the time interval allows a recipe
// taking no time at all (only with wildly scattered times).
struct Interval {
  double low = 0, high = 0;
};

inline constexpr double kConfidence = 0.95;

struct DefinitionSpeedup {
  double epsilon = 1; // T / T'
  double delta = 0;   // (Q' − Q) / Q
  // 95% Welch t intervals of the differences of the means (T' − T, Q' − Q),
  // divided by the reference's mean and mapped onto ε and δ (the reference's
  // mean taken as exact, as relative changes usually are). None when a side
  // has fewer than two seeds.
  std::optional<Interval> epsilonInterval, deltaInterval;
  Change time = Change::NotSignificant;    // better: ε's interval lies above 1
  Change quality = Change::NotSignificant; // better: δ's interval lies above 0
  Verdict verdict = Verdict::NotSignificant;
};

DefinitionSpeedup definitionSpeedup(const SeriesPoint& recipe, const SeriesPoint& reference);

// The reference's point a series point is compared with: the one at the same
// budget, else (early_stop's "epoch N") the one that trained as many steps.
std::optional<size_t> sameBudgetPoint(const Series& reference, const SeriesPoint& point);

} // namespace fiver::study
