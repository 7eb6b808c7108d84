#include "runtime/metrics/MetricsLog.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <unistd.h>

namespace fiver::runtime {

MetricsLog::MetricsLog(const std::string& path, bool quiet)
    : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {
  if (path.empty()) return;
  // A run owns its output folder: a rerun replaces the old metrics.
  out_.open(path, std::ios::trunc);
  if (!out_) throw std::runtime_error(path + ": cannot open for writing");
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
