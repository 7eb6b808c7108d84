#include "runtime/metrics/MetricsLog.h"

#include "compiler/support/AtomicFile.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace fiver::runtime {

MetricsLog::MetricsLog(const std::string& path, bool quiet, bool append)
    : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {
  if (path.empty()) return;
  // A run owns its output folder: a rerun replaces the old metrics, a
  // resumed run continues them.
  out_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw std::runtime_error(path + ": cannot open for writing");
}

void MetricsLog::keepRecordsCoveredBy(const std::string& path, int64_t step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded()) continue; // a line cut by the kill
    const int64_t at = record.value("step", int64_t{0});
    // An epoch's end is evaluated again when its epoch is resumed; an
    // --eval-every evaluation (no "epoch") at the checkpoint's step is in it.
    const bool epochEnd = record.value("event", "") == "eval" && record.contains("epoch");
    const bool covered = epochEnd ? at < step : at <= step;
    if (covered) kept += line + "\n";
  }
  in.close();
  if (!writeFileAtomically(path, kept)) throw std::runtime_error(path + ": cannot rewrite");
}

void MetricsLog::write(const nlohmann::json& record) {
  if (!out_.is_open()) return;
  out_ << record.dump() << "\n";
  out_.flush();
}

void MetricsLog::progress(const std::string& text) {
  if (!tty_ || quiet_) return;
  std::cerr << "\r\033[K" << text << std::flush;
  progressShown_ = true;
}

void MetricsLog::line(const std::string& text) {
  if (quiet_) return;
  if (progressShown_) {
    std::cerr << "\r\033[K" << std::flush;
    progressShown_ = false;
  }
  std::cout << text << std::endl;
}

} // namespace fiver::runtime
