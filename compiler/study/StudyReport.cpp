#include "compiler/study/StudyReport.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace fiver::study {

namespace {
std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signedPercent(double fraction) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.2f%%", fraction * 100);
  return buf;
}

// "[1.05, 1.31]", "[-0.12%, +0.40%]"; "—" without an interval. An end that
// would round onto "no change" (1.00, +0.00%) without being it gets more
// decimals, so the table never shows a significant side as touching it.
std::string intervalText(const std::optional<Interval>& i, bool percent) {
  if (!i) return "—";
  const double noChange = percent ? 0 : 1;
  auto end = [&](double v) {
    if (std::isinf(v)) return std::string("∞");
    for (int decimals = 2;; ++decimals) {
      char buf[64];
      const double shown = percent ? v * 100 : v;
      std::snprintf(buf, sizeof buf, percent ? "%+.*f%%" : "%.*f", decimals, shown);
      const double scale = std::pow(10.0, decimals);
      const bool looksLikeNoChange = std::round(shown * scale) == std::round(noChange * scale);
      if (!looksLikeNoChange || v == noChange || decimals >= 6) return std::string(buf);
    }
  };
  return "[" + end(i->low) + ", " + end(i->high) + "]";
}

std::string pointText(const SeriesPoint& p) {
  return p.series + " @ " + p.budget + " (" + fixed(p.meanTime, 2) + " s, " +
         fixed(p.meanQuality * 100, 2) + "%)";
}
} // namespace

void writeReport(std::ostream& os, const StudyAnalysis& a, const ReportContext& c) {
  const Environment& e = c.environment;
  os << "# Study " << c.studyName << "\n\n"
     << "From `" << c.file << "`; metric: " << c.metricSplit << " " << c.metric;
  if (c.holdout > 0)
    os << " (" << c.holdout << " training examples held out, the same for every recipe and seed; "
       << "the test split is evaluated once per run, after training, and is in results.csv)";
  os << "; reference: `" << c.reference << "`. ";
  if (c.reanalyzedRows > 0)
    os << "Re-analysed from the " << c.reanalyzedRows << " rows of results.csv; no run trained "
       << "for this report.\n\n";
  else
    os << c.runsExecuted << " runs trained now, " << c.runsReused
       << " reused from earlier invocations (same plan hash).\n\n";
  os << "Environment: " << e.cpuModel << ", " << e.cores << " cores, " << e.threads
     << " threads, LibTorch " << e.libtorchVersion << ", compiler " << e.compilerVersion
     << ", FiveR " << e.fiverVersion << ". Times are measured training seconds (evaluation "
     << "excluded), not FLOPs"
     << (c.resultsHaveFlops
             ? "; results.csv lists each run's training FLOPs and parameter count beside them"
             : "")
     << ".\n\n";

  os << "## Operating points (mean ± std over seeds)\n\n"
     << "| series | budget | runs | time (s) | " << c.metric << " (%) | Pareto |\n"
     << "| --- | --- | --- | --- | --- | --- |\n";
  for (size_t s = 0; s < a.series.size(); ++s)
    for (size_t p = 0; p < a.series[s].points.size(); ++p) {
      const SeriesPoint& pt = a.series[s].points[p];
      os << "| " << pt.series << " | " << pt.budget << " | " << pt.runs << " | "
         << fixed(pt.meanTime, 2) << " ± " << fixed(pt.stdTime, 2) << " | "
         << fixed(pt.meanQuality * 100, 2) << " ± " << fixed(pt.stdQuality * 100, 2) << " | "
         << (a.onFrontier(s, p) ? "★" : "") << " |\n";
    }
  if (!c.earlyStopNote.empty()) os << "\n" << c.earlyStopNote << "\n";

  os << "\n## Pareto frontier\n\n"
     << "No other point is both faster and more accurate than these (by increasing time):\n\n";
  for (const PointRef& r : a.frontier)
    os << "1. " << pointText(a.series[r.series].points[r.point]) << "\n";

  os << "\n![Pareto plot](pareto.png)\n";
  if (a.reference >= a.series.size()) return;

  os << "\n## (ε, δ)-speedup against " << c.reference << "\n\n"
     << "Definition 2.1 of the survey compares a run of the changed recipe R' (time T', quality "
     << "Q') with a run of the base recipe R (time T, quality Q): ε = T / T', δ = (Q' − Q) / Q. "
     << "ε > 1 with δ ≥ 0 is a speedup at no loss; ε > 1 with δ < 0 is a trade-off. Here R's "
     << "run is the reference at the same budget (for early_stop, the reference's run of as "
     << "many steps), and T, T', Q, Q' are means over seeds. The intervals are "
     << static_cast<int>(kConfidence * 100)
     << "% Welch t intervals of the differences of the means, relative to the reference's "
     << "mean. A side whose interval holds no change (ε = 1, δ = 0) is not significant, and "
     << "the budget's verdict is better, worse, trade-off or not significant accordingly.\n\n"
     << "Beside it, FiveR's own reading (not the survey's): the point against the reference's "
     << "whole mean curve, ε = T / T' with T the time the curve needs to reach Q' (linear "
     << "interpolation), δ against the curve's quality at T'. It says whether the point lies "
     << "above or below the curve, so it never shows a trade-off at one budget; outside the "
     << "curve's measured range a value is a bound (≥, ≤). It decides no verdict.\n\n"
     << "| series | budget | reference at | ε | ε " << static_cast<int>(kConfidence * 100)
     << "% CI | δ | δ " << static_cast<int>(kConfidence * 100)
     << "% CI | verdict | ε, FiveR's curve reading | δ, FiveR's curve reading |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  bool missingIntervals = false;
  for (const SeriesSpeedup& sp : a.speedups) {
    const Series& s = a.series[sp.series];
    for (size_t p = 0; p < s.points.size(); ++p) {
      os << "| " << s.name << " | " << s.points[p].budget << " | ";
      if (const std::optional<BudgetComparison>& cmp = sp.definition[p]) {
        const DefinitionSpeedup& d = cmp->speedup;
        missingIntervals |= !d.epsilonInterval || !d.deltaInterval;
        os << a.series[a.reference].points[cmp->referencePoint].budget << " | "
           << fixed(d.epsilon, 2) << " | " << intervalText(d.epsilonInterval, false) << " | "
           << signedPercent(d.delta) << " | " << intervalText(d.deltaInterval, true) << " | "
           << verdictText(d.verdict) << " | ";
      } else {
        os << "— | — | — | — | — | no reference run at this budget | ";
      }
      os << formatBounded(sp.curve[p].epsilon, 2) << " | "
         << formatBounded(sp.curve[p].delta, 2, true) << " |\n";
    }
  }
  if (missingIntervals)
    os << "\nWhere a side has fewer than two seeds there is no interval (—), and nothing there "
       << "is significant: run three or more seeds (a study's default).\n";

  os << "\n## Verdicts\n\n"
     << "By Definition 2.1 at each budget, " << static_cast<int>(kConfidence * 100)
     << "% confidence: better (or worse) when every significant budget is, trade-off when "
     << "budgets or sides disagree.\n\n";
  for (const SeriesSpeedup& sp : a.speedups) {
    const Series& s = a.series[sp.series];
    os << "- **" << s.name << "**: " << verdictText(sp.verdict);
    std::string perBudget;
    for (size_t p = 0; p < s.points.size(); ++p)
      if (sp.definition[p])
        perBudget += (perBudget.empty() ? "" : "; ") + s.points[p].budget + ": " +
                     verdictText(sp.definition[p]->speedup.verdict);
    if (!perBudget.empty()) os << " (" << perBudget << ")";
    os << "\n";
  }
}

} // namespace fiver::study
