#include "compiler/composer/ComposerTime.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace fiver::composer {

namespace {

struct UnitSpelling {
  std::string_view text;
  TimeUnit unit;
};

// Longest first, so that "sec" is not read as "...c".
constexpr UnitSpelling kUnits[] = {
    {"iter", TimeUnit::Iteration}, {"dur", TimeUnit::Duration}, {"tok", TimeUnit::Token},
    {"sec", TimeUnit::Second},     {"ep", TimeUnit::Epoch},     {"ba", TimeUnit::Batch},
    {"sp", TimeUnit::Sample},
};

bool endsWithIgnoringCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - suffix.size(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

} // namespace

std::optional<ComposerTime> parseComposerTime(std::string_view text) {
  for (const UnitSpelling& u : kUnits) {
    if (!endsWithIgnoringCase(text, u.text)) continue;
    const std::string number(text.substr(0, text.size() - u.text.size()));
    if (number.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    return ComposerTime{v, u.unit};
  }
  return std::nullopt;
}

std::string_view composerUnitName(TimeUnit unit) {
  for (const UnitSpelling& u : kUnits)
    if (u.unit == unit) return u.text;
  return "";
}

Unit fiverUnitOf(TimeUnit unit) {
  switch (unit) {
  case TimeUnit::Epoch:
    return Unit::Epochs;
  case TimeUnit::Batch: // a Composer batch is one optimizer step
    return Unit::Steps;
  case TimeUnit::Sample:
    return Unit::Samples;
  case TimeUnit::Second:
    return Unit::Seconds;
  case TimeUnit::Duration:
    return Unit::Percent;
  case TimeUnit::Token:
  case TimeUnit::Iteration:
    return Unit::None;
  }
  return Unit::None;
}

Value fractionToPercent(double fraction) {
  return Value::num(std::round(fraction * 10000.0) / 100.0, Unit::Percent);
}

std::optional<Value> toDuration(const ComposerTime& t, std::string* why) {
  if (t.unit == TimeUnit::Duration) return fractionToPercent(t.value);
  const Unit unit = fiverUnitOf(t.unit);
  if (unit == Unit::None) {
    if (why)
      *why = t.unit == TimeUnit::Token
                 ? "FiveR counts training in epochs, steps, samples or seconds, not tokens"
                 : "FiveR has no unit for Composer's iterations";
    return std::nullopt;
  }
  return Value::num(t.value, unit, t.value == std::floor(t.value));
}

std::optional<Value> toPercentOfRun(const ComposerTime& t, const RunLength& run, std::string* why) {
  if (t.unit == TimeUnit::Duration) return fractionToPercent(t.value);
  if (!run.total || run.total->unit != t.unit || run.total->value <= 0) {
    if (why)
      *why = "a fraction of the run is needed, and " +
             (run.total ? run.describe + " is not in " + std::string(composerUnitName(t.unit))
                        : std::string("the run's length is unknown"));
    return std::nullopt;
  }
  return fractionToPercent(t.value / run.total->value);
}

} // namespace fiver::composer
