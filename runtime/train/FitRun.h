// What one call of Trainer::fit() keeps while it runs: the result so far,
// its clocks and counters, its logs, and where a resumed run picks up. The
// epoch under way keeps its own (EpochRun).
#pragma once

#include "runtime/data/BatchLoader.h"
#include "runtime/metrics/EvalLog.h"
#include "runtime/metrics/MetricsLog.h"
#include "runtime/metrics/TimeToTarget.h"
#include "runtime/train/PendingLosses.h"
#include "runtime/train/Trainer.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace fiver::runtime {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct FitRun {
  FitRun(const plan::Plan& plan, const TrainOptions& options, const char* evalSplitName);

  // Wall time of the whole run: a resumed run adds the time before its checkpoint.
  double totalSeconds() const { return totalBefore + secondsSince(runStart); }

  TrainResult result;
  Clock::time_point runStart;
  double totalBefore = 0;
  std::string checkpointPath; // "" without an outDir
  std::string metricsPath;    // "" without an outDir, or on ranks that write nothing
  bool resuming = false;
  std::unique_ptr<MetricsLog> log;
  EvalLog evalLog;
  TimeToTarget timeToTarget;
  int64_t total = 0;  // steps this run trains for
  int64_t epochs = 0; // the plan's estimate, for the progress line
  // The plan's wall-clock budget counts training time only; the run stops
  // after the step that crosses it and still evaluates.
  double timeLimit = 0;
  bool outOfTime = false;
  // The budget is in steps: data methods may shorten epochs (pruning) or
  // lengthen them (echoing, smaller batches), so `epochs` is only the plan's
  // estimate. An epoch that yields no batch ends the run.
  bool epochHadBatches = true;
  double trainSeconds = 0;
  int64_t images = 0;
  int64_t bytesReducedBefore = 0, lastStepBytesReduced = 0;
  int64_t firstEpoch = 0;
  std::optional<BatchLoader::Position> resumePosition;
  std::optional<double> lastAccuracy;
  // The loss of the last evaluation this process ran, and its step.
  std::optional<std::pair<int64_t, double>> lastEvalLoss;
};

struct EpochRun {
  EpochRun(int64_t index, double trainSecondsBefore, bool deferLosses)
      : index(index), start(Clock::now()), losses(deferLosses), secondsBefore(trainSecondsBefore) {}

  // Train time covers batching, augmentation and the step; not evaluation
  // nor checkpoint writing (timeOff).
  double trainSecondsNow() const {
    return secondsBefore + secondsSince(start) - std::chrono::duration<double>(timeOff).count();
  }
  double meanLoss() const { return lossSum / static_cast<double>(std::max<int64_t>(1, lossCount)); }

  int64_t index;
  Clock::time_point start;
  double lossSum = 0, loss = 0;
  int64_t lossCount = 0;
  PendingLosses losses;
  double secondsBefore;
  Clock::duration timeOff = Clock::duration::zero();
  bool resumed = false; // a resumed epoch may have nothing left to load; it still counts
};

} // namespace fiver::runtime
