#include "compiler/study/StudyReport.h"

#include <cstdio>
#include <ostream>

namespace fiver::study {

namespace {
std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
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
  os << "; reference: `" << c.reference << "`. " << c.runsExecuted << " runs trained now, "
     << c.runsReused << " reused from earlier invocations (same plan hash).\n\n"
     << "Environment: " << e.cpuModel << ", " << e.cores << " cores, " << e.threads
     << " threads, LibTorch " << e.libtorchVersion << ", compiler " << e.compilerVersion
     << ", FiveR " << e.fiverVersion << ". Times are measured training seconds (evaluation "
     << "excluded), not FLOPs.\n\n";

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
     << "Per Definition 2.1: ε = T / T', where T is the time the reference needs to reach the "
     << "series' quality Q' (linear interpolation on the reference's mean time-quality curve); "
     << "δ = (Q' − Q) / Q, where Q is the reference's quality at the series' time T'. "
     << "Outside the reference's measured range a value is a bound (≥, ≤).\n\n"
     << "| series | budget | ε | δ |\n| --- | --- | --- | --- |\n";
  for (const SeriesSpeedup& sp : a.speedups) {
    const Series& s = a.series[sp.series];
    for (size_t p = 0; p < s.points.size(); ++p)
      os << "| " << s.name << " | " << s.points[p].budget << " | "
         << formatBounded(sp.points[p].epsilon, 2) << " | "
         << formatBounded(sp.points[p].delta, 2, true) << " |\n";
  }

  os << "\n## Verdicts\n\n";
  for (const SeriesSpeedup& sp : a.speedups)
    os << "- **" << a.series[sp.series].name << "**: " << verdictText(sp.verdict) << "\n";
}

} // namespace fiver::study
