// Run output: metrics as JSON lines (one object per line, appended and
// flushed so a killed run keeps what it logged), a `\r` progress line when
// stderr is a terminal, and plain per-epoch lines.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace fiver::runtime {

class MetricsLog {
public:
  // An empty path keeps the console output and writes no file. `quiet`
  // silences the console.
  MetricsLog(const std::string& path, bool quiet, bool append = false);

  // A resumed run continues the log of the run it resumes: records the
  // checkpoint at `step` does not cover (train records after it, epoch-end
  // evaluations at or after it) are dropped, so none appears twice.
  static void keepRecordsCoveredBy(const std::string& path, int64_t step);

  void write(const nlohmann::json& record);
  void progress(const std::string& line); // overwritten in place on a TTY
  void line(const std::string& text);     // a permanent line on stdout

private:
  std::ofstream out_;
  bool quiet_;
  bool tty_;
  bool progressShown_ = false;
};

} // namespace fiver::runtime
