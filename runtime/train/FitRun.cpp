#include "runtime/train/FitRun.h"

#include <algorithm>
#include <filesystem>

namespace fiver::runtime {

FitRun::FitRun(const plan::Plan& plan, const TrainOptions& options, const char* evalSplitName)
    : runStart(Clock::now()), evalLog("", evalSplitName), timeToTarget(options.targetAccuracy) {
  if (!options.outDir.empty() && options.writeOutputs)
    std::filesystem::create_directories(options.outDir);
  checkpointPath = options.outDir.empty() ? "" : options.outDir + "/checkpoint.pt";
  metricsPath =
      options.outDir.empty() || !options.writeOutputs ? "" : options.outDir + "/metrics.jsonl";
  resuming = options.resume && !checkpointPath.empty() && std::filesystem::exists(checkpointPath);
  log = std::make_unique<MetricsLog>(metricsPath, options.quiet, resuming);
  total = options.maxSteps > 0 ? std::min(options.maxSteps, plan.training.totalSteps)
                               : plan.training.totalSteps;
  epochs = (total + plan.training.stepsPerEpoch - 1) / plan.training.stepsPerEpoch;
  evalLog = EvalLog(metricsPath.empty() ? "" : options.outDir + "/eval.jsonl", evalSplitName);
  timeLimit = plan.training.timeLimitSeconds;
}

} // namespace fiver::runtime
