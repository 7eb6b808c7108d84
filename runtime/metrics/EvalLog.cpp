#include "runtime/metrics/EvalLog.h"

#include "compiler/support/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <utility>

namespace fiver::runtime {

std::string evalLogLine(const EvalLogLine& line, const std::string& split, bool final) {
  nlohmann::ordered_json record = {{"step", line.step},
                                   {"epoch", line.epoch},
                                   {"train_seconds", line.trainSeconds},
                                   {"split", split},
                                   {"accuracy", line.accuracy}};
  if (final) record["final"] = true;
  return record.dump();
}

EvalLog::EvalLog(std::string path, std::string split)
    : path_(std::move(path)), split_(std::move(split)) {}

void EvalLog::restart(const std::vector<EvalLogLine>& earlier) {
  lines_ = earlier;
  rewrite(false);
}

void EvalLog::append(const EvalLogLine& line) {
  lines_.push_back(line);
  if (path_.empty()) return;
  std::ofstream out(path_, std::ios::app);
  out << evalLogLine(line, split_) << "\n";
  out.flush();
  if (!out) throw std::runtime_error(path_ + ": cannot append");
}

void EvalLog::finish() {
  rewrite(true);
}

void EvalLog::rewrite(bool markFinal) const {
  if (path_.empty()) return;
  std::string text;
  for (size_t i = 0; i < lines_.size(); ++i)
    text += evalLogLine(lines_[i], split_, markFinal && i + 1 == lines_.size()) + "\n";
  if (!writeFileAtomically(path_, text)) throw std::runtime_error(path_ + ": cannot write");
}

} // namespace fiver::runtime
