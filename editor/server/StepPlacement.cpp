#include "editor/server/StepPlacement.h"

#include "compiler/lower/Lower.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fiver::lsp {

namespace {

// Which parameters place each method. Declarations do not say which percent
// is a point in the schedule and which a share of something else
// (curriculum's `start` is a share of the data), so it is written here.
struct PlacementRule {
  const char* method;
  const char* from; // null: from the first step
  const char* to;   // null: to the last step
  const char* at;   // a single step instead of a span
  // The runtime truncates the fraction to a step (swa and the gradient
  // compressors) where the others round it.
  bool truncates = false;
};

constexpr PlacementRule kRules[] = {
    {"layer_freezing", "start", "end", nullptr},
    {"selective_backprop", "start", "end", nullptr},
    {"gradual_magnitude_pruning", "start", "end", nullptr},
    {"swa", "start", nullptr, nullptr, true},
    {"powersgd", "start", nullptr, nullptr, true},
    {"sign_compression", "start", nullptr, nullptr, true},
    {"progressive_resize", nullptr, "until", nullptr},
    {"curriculum", nullptr, "until", nullptr},
    {"batch_size_warmup", nullptr, "until", nullptr},
    {"seq_length_warmup", nullptr, "until", nullptr},
    {"warmup", nullptr, "length", nullptr},
    {"lr_range_test", nullptr, "length", nullptr},
    {"data_pruning", nullptr, nullptr, "score_at"},
};

const PlacementRule* ruleFor(const std::string& method) {
  for (const PlacementRule& r : kRules)
    if (method == r.method) return &r;
  return nullptr;
}

// A percentage of the budget or a duration as a step number, as lowering,
// the passes and the runtime place them; nullopt for anything else (seconds,
// plain numbers).
std::optional<int64_t> stepOf(const MethodUse& m, const char* key, const plan::Training& t,
                              bool truncates) {
  auto it = m.params.find(key);
  if (it == m.params.end() || it->second.kind != Value::Kind::Number) return std::nullopt;
  const Value& v = it->second;
  const double total = static_cast<double>(t.totalSteps);
  if (v.unit == Unit::Percent && !v.isDuration)
    return truncates ? static_cast<int64_t>(v.asFraction() * total)
                     : std::llround(v.asFraction() * total);
  if (v.unit == Unit::None || v.unit == Unit::Seconds) return std::nullopt;
  ir::Timeline timeline;
  timeline.batchSize = t.batchSize;
  timeline.stepsPerEpoch = t.stepsPerEpoch;
  timeline.totalSteps = t.totalSteps;
  return std::llround(lowerValue(v, timeline).number);
}

} // namespace

std::optional<StepSpan> stepSpan(const MethodUse& method, const plan::Training& training) {
  const PlacementRule* rule = ruleFor(method.name);
  if (!rule || training.totalSteps <= 0) return std::nullopt;
  const int64_t lastStep = training.totalSteps - 1;
  auto clamp = [&](int64_t s) { return std::clamp<int64_t>(s, 0, lastStep); };
  StepSpan span;
  if (rule->at) {
    std::optional<int64_t> at = stepOf(method, rule->at, training, rule->truncates);
    if (!at) return std::nullopt;
    span.first = span.last = clamp(*at);
    span.point = true;
    return span;
  }
  std::optional<int64_t> from =
      rule->from ? stepOf(method, rule->from, training, rule->truncates) : 0;
  std::optional<int64_t> to =
      rule->to ? stepOf(method, rule->to, training, rule->truncates) : lastStep;
  if (!from || !to) return std::nullopt;
  span.first = clamp(*from);
  span.last = clamp(*to);
  return span;
}

std::string stepSpanLabel(const StepSpan& span, const plan::Training& training) {
  const std::string of = " of " + std::to_string(training.totalSteps);
  if (span.point) return "at step " + std::to_string(span.first) + of;
  return "steps " + std::to_string(span.first) + "\u2013" + std::to_string(span.last) + of;
}

} // namespace fiver::lsp
