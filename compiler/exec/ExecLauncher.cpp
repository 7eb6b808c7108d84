#include "compiler/exec/ExecLauncher.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace fiver {

namespace {
// Execs `args` (args[0] the program); returns only on failure.
int replaceProcess(std::vector<std::string> args);
} // namespace

// 5rc and 5rc-exec are built and installed side by side.
std::string findExecutor(const char* argv0) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) self = fs::absolute(argv0, ec);
  fs::path sibling = self.parent_path() / "5rc-exec";
  if (fs::exists(sibling, ec)) return sibling.string();
  return "5rc-exec"; // resolved through PATH by execvp
}

int execPlan(const std::string& planPath, const ExecOptions& opts, const char* argv0) {
  std::vector<std::string> args = {findExecutor(argv0), planPath, "--out", opts.outDir};
  if (opts.threads > 0) args.insert(args.end(), {"--threads", std::to_string(opts.threads)});
  if (!opts.device.empty()) args.insert(args.end(), {"--device", opts.device});
  if (opts.nproc > 1) args.insert(args.end(), {"--nproc", std::to_string(opts.nproc)});
  if (opts.syncBatchNorm) args.push_back("--sync-batchnorm");
  if (opts.resume) args.push_back("--resume");
  if (opts.checkpointEvery >= 0)
    args.insert(args.end(), {"--checkpoint-every", std::to_string(opts.checkpointEvery)});
  if (opts.timeout > 0) args.insert(args.end(), {"--timeout", std::to_string(opts.timeout)});
  if (opts.maxSteps > 0) args.insert(args.end(), {"--max-steps", std::to_string(opts.maxSteps)});
  if (opts.quiet) args.push_back("--quiet");
  if (opts.noPrefetch) args.push_back("--no-prefetch");
  if (!opts.fusedOptimizer) args.push_back("--no-fused-optimizer");
  if (opts.targetAccuracy > 0) {
    std::ostringstream target;
    target.precision(17);
    target << opts.targetAccuracy;
    args.insert(args.end(), {"--target", target.str()});
  }
  if (!opts.tta.empty()) args.insert(args.end(), {"--tta", opts.tta});
  if (opts.evalEvery > 0) args.insert(args.end(), {"--eval-every", std::to_string(opts.evalEvery)});
  return replaceProcess(args);
}

int execExport(const ExportOptions& opts, const char* argv0) {
  std::vector<std::string> args = {findExecutor(argv0), "export", opts.runDir, "-o", opts.output};
  if (opts.foldBatchNorm) args.push_back("--fold-bn");
  if (!opts.reference.empty()) args.insert(args.end(), {"--reference", opts.reference});
  if (opts.threads > 0) args.insert(args.end(), {"--threads", std::to_string(opts.threads)});
  return replaceProcess(args);
}

namespace {
int replaceProcess(std::vector<std::string> args) {
  std::vector<char*> cargs;
  for (std::string& a : args)
    cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::cout.flush();
  execvp(cargs[0], cargs.data());
  std::cerr << "5rc: error: cannot start " << args[0] << ": " << std::strerror(errno) << "\n";
  return 1;
}
} // namespace

} // namespace fiver
