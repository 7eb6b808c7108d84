#include "compiler/profile/Profile.h"

#include "compiler/exec/ExecChild.h"
#include "compiler/explain/Explain.h"
#include "compiler/profile/Bottleneck.h"
#include "compiler/support/AtomicFile.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fiver {

namespace fs = std::filesystem;

int profilePlan(const plan::Plan& plan, const ProfileOptions& options, std::ostream& out,
                std::ostream& err) {
  const fs::path dir = fs::temp_directory_path() / ("fiver-profile-" + std::to_string(getpid()));
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path planPath = dir / "plan.yaml", jsonPath = dir / "profile.json",
                 logPath = dir / "exec.log";
  if (ec || !writeFileAtomically(planPath.string(), plan::planToString(plan))) {
    err << "5rc: error: cannot write " << planPath.string() << "\n";
    return 1;
  }
  std::vector<std::string> args = {planPath.string(), "--profile", std::to_string(options.steps),
                                   "--profile-out", jsonPath.string()};
  if (options.threads > 0) args.insert(args.end(), {"--threads", std::to_string(options.threads)});
  if (!options.device.empty()) args.insert(args.end(), {"--device", options.device});
  if (options.noPrefetch) args.push_back("--no-prefetch");
  const int status = runChild(options.executor, args, logPath.string());
  if (status != 0) {
    std::ifstream log(logPath);
    err << "5rc: error: profiling run failed (status " << status << ")\n" << log.rdbuf();
    fs::remove_all(dir, ec);
    return 1;
  }
  std::ifstream in(jsonPath);
  nlohmann::json profile = nlohmann::json::parse(in, nullptr, false);
  fs::remove_all(dir, ec);
  if (profile.is_discarded()) {
    err << "5rc: error: the profiling run wrote no readable profile\n";
    return 1;
  }
  const BottleneckReport report = analyzeProfile(profile, loadStdlibMethods(options.stdlib),
                                                 taskInputKind(plan.task.inputShape));
  if (options.json) {
    profile["phase_check"] = reportJson(report);
    profile["bottleneck"] = {{"name", report.bottleneck},
                             {"reason", report.reason},
                             {"methods", report.methods},
                             {"compute_bound_seconds", report.computeBoundSeconds},
                             {"memory_bound_seconds", report.memoryBoundSeconds}};
    out << profile.dump(2) << "\n";
  } else {
    printProfileReport(out, profile, report);
  }
  return 0;
}

int showRoofline(const ProfileOptions& options, std::ostream& out, std::ostream& err) {
  const fs::path log =
      fs::temp_directory_path() / ("fiver-roofline-" + std::to_string(getpid()) + ".log");
  std::vector<std::string> args = {"--roofline", "--roofline-format",
                                   options.json ? "json" : "text"};
  if (options.threads > 0) args.insert(args.end(), {"--threads", std::to_string(options.threads)});
  if (options.remeasureRoofline) args.push_back("--remeasure-roofline");
  const int status = runChild(options.executor, args, log.string());
  {
    std::ifstream in(log);
    (status == 0 ? out : err) << in.rdbuf();
  }
  std::error_code ec;
  fs::remove(log, ec);
  if (status != 0) {
    err << "5rc: error: measuring the roofline failed (status " << status << ")\n";
    return 1;
  }
  return 0;
}

} // namespace fiver
