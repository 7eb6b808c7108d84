// Composer's time strings ("0.5dur", "10ep", "100ba", "1000sp", "2048tok",
// "30sec") and their FiveR counterparts: a duration (`50%`, `10 epochs`,
// `100 steps`, `1000 samples`, `30 s`) or a fraction of the run.
#pragma once

#include "compiler/sema/Value.h"

#include <optional>
#include <string>
#include <string_view>

namespace fiver::composer {

enum class TimeUnit { Epoch, Batch, Sample, Token, Duration, Second, Iteration };

struct ComposerTime {
  double value = 0;
  TimeUnit unit = TimeUnit::Epoch;
};

// Parses a time string as Composer does (a number, then a unit, any case);
// nullopt when it is not one.
std::optional<ComposerTime> parseComposerTime(std::string_view text);

// "ep", "ba", ...: the unit as Composer writes it.
std::string_view composerUnitName(TimeUnit unit);

// The FiveR unit a Composer unit converts to; Unit::None where FiveR has none
// (tokens, iterations).
Unit fiverUnitOf(TimeUnit unit);

// A FiveR duration: `100 steps`, `2 epochs`, `50%` (of the budget). nullopt
// (and `why`) when FiveR has no such unit.
std::optional<Value> toDuration(const ComposerTime& t, std::string* why);

// The run's length as a Composer time, to express other times as fractions.
struct RunLength {
  std::optional<ComposerTime> total; // unset: unknown
  std::string describe;              // "max_duration 90ep" or "the base's budget 12 epochs"
};

// The fraction of the run `t` is, as a FiveR percentage (`0.7dur` -> 70%,
// `8ep` of 90ep -> 8.89%); nullopt (and `why`) when the run's length is in
// another unit or unknown.
std::optional<Value> toPercentOfRun(const ComposerTime& t, const RunLength& run, std::string* why);

// A fraction in [0, 1] as a percentage, rounded to 0.01%.
Value fractionToPercent(double fraction);

} // namespace fiver::composer
