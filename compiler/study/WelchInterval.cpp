#include "compiler/study/WelchInterval.h"

#include "compiler/study/StudyResults.h"

#include <cmath>

namespace fiver::study {

namespace {
// The regularized incomplete beta I_x(a, b) by its continued fraction
// (modified Lentz), the standard way to compute Student's t distribution.
double betaContinuedFraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    if (std::fabs(d) < tiny) d = tiny;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < 1e-14) break;
  }
  return h;
}

double regularizedBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  // The fraction converges fast on this side of the mean; use symmetry on the other.
  if (x < (a + 1) / (a + b + 2)) return front * betaContinuedFraction(a, b, x) / a;
  return 1 - front * betaContinuedFraction(b, a, 1 - x) / b;
}

double studentTCdf(double t, double dof) {
  const double tail = 0.5 * regularizedBeta(dof / 2, 0.5, dof / (dof + t * t));
  return t >= 0 ? 1 - tail : tail;
}
} // namespace

double studentTQuantile(double p, double dof) {
  if (p == 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  // Bisection: the CDF is monotone, and 1e6 is beyond any quantile a study
  // asks for (the 0.9995 quantile at one degree of freedom is about 637).
  double lo = 0, hi = 1e6;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + lo); ++i) {
    const double mid = 0.5 * (lo + hi);
    (studentTCdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::optional<DifferenceInterval> welchInterval(const std::vector<double>& a,
                                                const std::vector<double>& b, double confidence) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double va = std::pow(sampleStd(a), 2) / na, vb = std::pow(sampleStd(b), 2) / nb;
  DifferenceInterval out;
  out.difference = mean(a) - mean(b);
  const double se = std::sqrt(va + vb);
  // Both sides without scatter: the difference is exact.
  if (se == 0) {
    out.low = out.high = out.difference;
    return out;
  }
  const double dof = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  const double halfWidth = studentTQuantile(0.5 + confidence / 2, dof) * se;
  out.low = out.difference - halfWidth;
  out.high = out.difference + halfWidth;
  return out;
}

} // namespace fiver::study
