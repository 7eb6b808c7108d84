// Runs a program (5rc-exec on one plan, gnuplot) as a child process, its
// output to a log file, so a study or a profile goes on (and reports)
// whatever one run does.
#pragma once

#include <string>
#include <vector>

namespace fiver {

// Starts `program` with `args` (argv[1..]), stdout and stderr appended to
// `logPath`, and waits. Returns the exit status; 127 when it cannot start,
// 128 + N when killed by signal N.
int runChild(const std::string& program, const std::vector<std::string>& args,
             const std::string& logPath);

} // namespace fiver
