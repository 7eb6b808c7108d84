#include "compiler/study/Verdict.h"

namespace fiver::study {

namespace {
Verdict fromSides(bool better, bool worse) {
  if (better && worse) return Verdict::TradeOff;
  if (better) return Verdict::Better;
  if (worse) return Verdict::Worse;
  return Verdict::NotSignificant;
}
} // namespace

Verdict verdictOf(Change time, Change quality) {
  return fromSides(time == Change::Better || quality == Change::Better,
                   time == Change::Worse || quality == Change::Worse);
}

Verdict seriesVerdict(const std::vector<Verdict>& budgets) {
  bool better = false, worse = false;
  for (Verdict v : budgets) {
    better |= v == Verdict::Better || v == Verdict::TradeOff;
    worse |= v == Verdict::Worse || v == Verdict::TradeOff;
  }
  return fromSides(better, worse);
}

std::string verdictText(Verdict v) {
  switch (v) {
  case Verdict::Better:
    return "better";
  case Verdict::TradeOff:
    return "trade-off";
  case Verdict::Worse:
    return "worse";
  case Verdict::NotSignificant:
    return "not significant";
  }
  return "";
}

} // namespace fiver::study
