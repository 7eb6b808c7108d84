// eval.jsonl: one JSON line per evaluation on the run's evaluation split, in
// the order they ran (docs/eval-log.md). Lines are appended and flushed as
// evaluations happen, so a killed run keeps its log; the whole file is
// rewritten atomically when a run starts (empty, or a resumed run's
// evaluations before its checkpoint: none appears twice) and when it ends
// (the last line marked `"final": true`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::runtime {

struct EvalLogLine {
  int64_t step = 0;        // optimizer steps done
  double epoch = 0;        // epochs done, fractional
  double trainSeconds = 0; // cumulative train time, evaluation excluded
  double accuracy = 0;     // in [0, 1]
};

// One line of the format, without its newline; keys in the order the
// format gives them: step, epoch, train_seconds, split, accuracy[, final].
std::string evalLogLine(const EvalLogLine& line, const std::string& split, bool final = false);

class EvalLog {
public:
  // An empty path writes nothing. `split`: "test" or "holdout".
  EvalLog(std::string path, std::string split);

  // Replaces the file with these lines (a fresh run: none).
  void restart(const std::vector<EvalLogLine>& earlier);
  void append(const EvalLogLine& line);
  // Rewrites the file with every line so far, the last one marked final.
  void finish();

  const std::vector<EvalLogLine>& lines() const { return lines_; }

private:
  void rewrite(bool markFinal) const;

  std::string path_;
  std::string split_;
  std::vector<EvalLogLine> lines_;
};

} // namespace fiver::runtime
