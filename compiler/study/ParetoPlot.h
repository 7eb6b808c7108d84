// pareto.png and pareto.svg: mean time against mean quality, one curve per
// series with ± std error bars, the Pareto frontier drawn over them. Drawn by
// gnuplot from a generated data file and script, both kept in the folder so
// the figure can be redrawn or restyled.
#pragma once

#include "compiler/study/StudyAnalysis.h"

#include <iosfwd>
#include <string>

namespace fiver::study {

// pareto.dat: one block per series (x, y, x std, y std), then the frontier.
void writePlotData(std::ostream& os, const StudyAnalysis& analysis);
// pareto.gp: draws `dataPath` into `pngPath` and `svgPath`.
void writePlotScript(std::ostream& os, const StudyAnalysis& analysis, const std::string& title,
                     const std::string& dataPath, const std::string& pngPath,
                     const std::string& svgPath);

// Writes pareto.dat and pareto.gp into `folder` and runs gnuplot on them.
// Returns false (with the reason in `error`) when gnuplot fails.
bool drawParetoPlot(const StudyAnalysis& analysis, const std::string& title,
                    const std::string& folder, std::string& error);

} // namespace fiver::study
