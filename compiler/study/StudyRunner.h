// `5rc study`: compiles every run of a study, trains those whose plan hash has
// no result in the study folder yet (so an interrupted study resumes), then
// writes results.csv/json, report.md, speedups.json, pareto.png/svg and
// environment.json.
#pragma once

#include <iosfwd>
#include <string>

namespace fiver::study {

struct StudyOptions {
  std::string file;
  std::string study;  // empty: the file's last study
  std::string stdlib; // empty: the default standard library
  std::string outDir; // empty: studies/<name>
  std::string executor = "5rc-exec";
  int threads = 0; // intra-op threads per run; 0: all cores
  bool mergeEnvironments = false;
  // Train nothing: rewrite report.md, speedups.json and the plot from the
  // folder's results.csv and environment.json.
  bool fromResults = false;
};

// Returns the exit status: 0, or 1 when the study does not check, the folder
// holds another environment's results, or a run or the plot failed.
int runStudy(const StudyOptions& options, std::ostream& out, std::ostream& err);

} // namespace fiver::study
