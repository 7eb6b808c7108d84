#include "compiler/study/ParetoPlot.h"

#include "compiler/exec/ExecChild.h"

#include <filesystem>
#include <fstream>
#include <ostream>

namespace fs = std::filesystem;

namespace fiver::study {

namespace {
// gnuplot strings are single-quoted; a quote inside is doubled.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}
} // namespace

void writePlotData(std::ostream& os, const StudyAnalysis& analysis) {
  for (const Series& s : analysis.series) {
    os << "# " << s.name << "\n";
    for (const SeriesPoint& p : s.points)
      os << p.meanTime << ' ' << p.meanQuality * 100 << ' ' << p.stdTime << ' '
         << p.stdQuality * 100 << "\n";
    os << "\n\n";
  }
  os << "# Pareto frontier\n";
  for (const PointRef& r : analysis.frontier) {
    const SeriesPoint& p = analysis.series[r.series].points[r.point];
    os << p.meanTime << ' ' << p.meanQuality * 100 << "\n";
  }
}

void writePlotScript(std::ostream& os, const StudyAnalysis& analysis, const std::string& title,
                     const std::string& dataPath, const std::string& pngPath,
                     const std::string& svgPath) {
  os << "# Redraw with: gnuplot pareto.gp\n"
     << "set title " << quoted(title) << "\n"
     << "set xlabel 'mean training time (s)'\n"
     << "set ylabel 'mean test accuracy (%)'\n"
     << "set grid\n"
     << "set key bottom right\n"
     << "set termoption noenhanced\n";
  std::string plot = "plot ";
  for (size_t i = 0; i < analysis.series.size(); ++i) {
    plot += quoted(dataPath) + " index " + std::to_string(i) +
            " using 1:2:3:4 with xyerrorlines lw 1.5 pt 7 ps 0.8 title " +
            quoted(analysis.series[i].name) + ", \\\n     ";
  }
  plot += quoted(dataPath) + " index " + std::to_string(analysis.series.size()) +
          " using 1:2 with linespoints lw 3 lc rgb 'black' dt 2 pt 6 ps 2.2 "
          "title 'Pareto frontier'\n";
  os << "set terminal pngcairo size 1100,750 noenhanced\n"
     << "set output " << quoted(pngPath) << "\n"
     << plot << "set terminal svg size 1100,750 dynamic noenhanced\n"
     << "set output " << quoted(svgPath) << "\n"
     << plot << "unset output\n";
}

bool drawParetoPlot(const StudyAnalysis& analysis, const std::string& title,
                    const std::string& folder, std::string& error) {
  fs::path dir = fs::absolute(folder);
  fs::path data = dir / "pareto.dat", script = dir / "pareto.gp";
  {
    std::ofstream out(data);
    writePlotData(out, analysis);
  }
  {
    std::ofstream out(script);
    writePlotScript(out, analysis, title, data.string(), (dir / "pareto.png").string(),
                    (dir / "pareto.svg").string());
  }
  fs::path log = dir / "gnuplot.log";
  std::error_code ec;
  fs::remove(log, ec);
  int rc = runChild("gnuplot", {script.string()}, log.string());
  if (rc == 0) {
    fs::remove(log, ec);
    return true;
  }
  error = rc == 127 ? "cannot start gnuplot (install gnuplot-nox)"
                    : "gnuplot failed; see " + log.string();
  return false;
}

} // namespace fiver::study
