// The confidence interval of a difference of two means, by Welch's t test.
//
// Why Welch's t and not a bootstrap: a study has a handful of seeds per
// point (three by default). A bootstrap over three values has only ten
// distinct resamples per side and its percentile interval is too narrow by
// about √((n−1)/n); Student's t with the Welch–Satterthwaite degrees of
// freedom is exact for normal noise, widens honestly at small n, needs no
// random numbers, and does not assume the two sides share a variance (a
// recipe's times scatter differently from the baseline's).
#pragma once

#include <optional>
#include <vector>

namespace fiver::study {

struct DifferenceInterval {
  double difference = 0; // mean(a) − mean(b)
  double low = 0, high = 0;
};

// The two-sided `confidence` interval of mean(a) − mean(b); none when either
// side has fewer than two values (no variance, so no interval).
std::optional<DifferenceInterval>
welchInterval(const std::vector<double>& a, const std::vector<double>& b, double confidence = 0.95);

// Student's t quantile: P(T ≤ t) = p for T with `dof` degrees of freedom
// (dof may be fractional, as Welch's are).
double studentTQuantile(double p, double dof);

} // namespace fiver::study
