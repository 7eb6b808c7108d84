// Significance-aware verdicts. A side of a comparison (time or quality) is
// better or worse only when its confidence interval excludes "no change";
// otherwise the data cannot tell, and the verdict says so instead of
// calling noise better or worse.
#pragma once

#include <string>
#include <vector>

namespace fiver::study {

enum class Change { Better, Worse, NotSignificant };

enum class Verdict { Better, TradeOff, Worse, NotSignificant };

// One comparison: better when one side is significantly better and neither
// worse (the survey's ε > 1, δ ≥ 0, or more quality in no more time);
// trade-off when one side is better and the other worse (ε > 1, δ < 0, or
// the reverse); worse when a side is worse and none better.
Verdict verdictOf(Change time, Change quality);

// A series over its budgets: trade-off when it is better at one budget and
// worse at another (or trades off at one); better or worse when every
// significant budget agrees; not significant when no budget is.
Verdict seriesVerdict(const std::vector<Verdict>& budgets);

// "better", "trade-off", "worse", "not significant".
std::string verdictText(Verdict v);

} // namespace fiver::study
