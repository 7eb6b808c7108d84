// Starts 5rc-exec on a written plan, replacing this process so that its exit
// status and signals reach the caller unchanged.
#pragma once

#include <cstdint>
#include <string>

namespace fiver {

struct ExecOptions {
  std::string outDir;
  int threads = 0;    // 0 = all cores
  std::string device; // "" = 5rc-exec's default (cpu)
  int nproc = 1;      // data-parallel ranks on this machine
  bool syncBatchNorm = false;
  bool resume = false;
  int64_t checkpointEvery = -1; // -1 = 5rc-exec's default
  int timeout = 0;              // seconds a rank waits for the others; 0 = 5rc-exec's default
  long maxSteps = 0;            // 0 = the plan's budget
  bool quiet = false;
  bool noPrefetch = false;    // load batches on the training thread
  bool fusedOptimizer = true; // false: --no-fused-optimizer
  double targetAccuracy = 0;  // time to this accuracy is reported; 0 = none
  std::string tta;            // "" = 5rc-exec's default (none)
  int64_t evalEvery = 0;      // also evaluate every N steps; 0 = at epoch ends only
};

// `5rc export`: a finished run's model written out by `5rc-exec export`.
struct ExportOptions {
  std::string runDir;
  std::string output; // the ONNX file
  bool foldBatchNorm = false;
  std::string reference; // "" = none; a count or "all"
  int threads = 0;
};

// 5rc-exec beside this executable, else the bare name (resolved through PATH).
std::string findExecutor(const char* argv0);

// Finds 5rc-exec next to this executable (or on PATH) and execs it. Returns
// only on failure, with a message on stderr and exit status 1.
int execPlan(const std::string& planPath, const ExecOptions& opts, const char* argv0);
// The same for `5rc-exec export`.
int execExport(const ExportOptions& opts, const char* argv0);

} // namespace fiver
