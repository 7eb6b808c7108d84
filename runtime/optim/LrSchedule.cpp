#include "runtime/optim/LrSchedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

LrSchedule::LrSchedule(const plan::Call& s, double peakLr, int64_t totalSteps)
    : kind_(s.kind), peak_(peakLr), total_(std::max<int64_t>(1, totalSteps)),
      warmup_(plan::getNumber(s.params, "warmup", 0)),
      divFactor_(plan::getNumber(s.params, "div_factor", 25)),
      finalDiv_(plan::getNumber(s.params, "final_div_factor", 1e4)),
      every_(plan::getNumber(s.params, "every", 0.3)),
      gamma_(plan::getNumber(s.params, "gamma", 0.1)),
      cycles_(std::max(1.0, plan::getNumber(s.params, "cycles", 4))) {
  if (kind_ != "one_cycle" && kind_ != "cosine" && kind_ != "linear" && kind_ != "constant" &&
      kind_ != "step" && kind_ != "cyclic")
    throw std::runtime_error(
        "unknown schedule '" + kind_ +
        "' in the plan (known: one_cycle, cosine, linear, constant, step, cyclic)");
  if (kind_ == "one_cycle") divFactor_ = plan::getNumber(s.params, "div_factor", 25);
  if (kind_ == "cyclic") divFactor_ = plan::getNumber(s.params, "div_factor", 10);
  if (kind_ == "step" && every_ <= 0)
    throw std::runtime_error("schedule 'step' needs 'every' above 0% of the budget");
}

double LrSchedule::at(int64_t step) const {
  const double t = static_cast<double>(std::clamp<int64_t>(step, 0, total_ - 1));
  const double n = static_cast<double>(total_);
  const double warm = std::floor(warmup_ * n);
  if (kind_ == "one_cycle") {
    const double start = peak_ / divFactor_, end = start / finalDiv_;
    if (t < warm) return start + (peak_ - start) * t / warm;
    const double p = (t - warm) / std::max(1.0, n - 1 - warm);
    return end + (peak_ - end) * 0.5 * (1 + std::cos(M_PI * p));
  }
  if (t < warm) return peak_ * (t + 1) / warm;
  const double p = (t - warm) / std::max(1.0, n - warm);
  if (kind_ == "constant") return peak_;
  if (kind_ == "cosine") return peak_ * 0.5 * (1 + std::cos(M_PI * p));
  if (kind_ == "step") return peak_ * std::pow(gamma_, std::floor(p / every_ + 1e-9));
  if (kind_ == "cyclic") { // triangles between peak / divFactor and peak
    const double phase = std::fmod(p * cycles_, 1.0) * 2;
    const double base = peak_ / divFactor_;
    return base + (peak_ - base) * (phase < 1 ? phase : 2 - phase);
  }
  return peak_ * (1 - p); // linear
}

} // namespace fiver::runtime
