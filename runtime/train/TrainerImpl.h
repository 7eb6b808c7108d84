// The trainer's state and the pieces of its fit loop, one concept a file:
// Trainer.cpp builds the run and fires events, Resume.cpp reads and writes
// checkpoints, EpochLoop.cpp runs epochs and steps, Evaluation.cpp evaluates
// and records evaluations, RunLog.cpp writes the metrics and progress lines.
#pragma once

#include "runtime/data/Augment.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/metrics/FlipTta.h"
#include "runtime/metrics/FlopCounter.h"
#include "runtime/optim/LrSchedule.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/FitRun.h"
#include "runtime/train/Trainer.h"

#include <memory>
#include <utility>
#include <vector>

namespace fiver::runtime {

// Drops gradients instead of zeroing them (Trainer.cpp).
void clearGradients(torch::optim::Optimizer& opt);

struct Trainer::Impl {
  Impl(const plan::Plan& p, const TrainOptions& o, const Dataset* d);
  Impl(const plan::Plan& p, const TrainOptions& o, const Dataset* d,
       std::vector<std::unique_ptr<Method>> made);

  // Trainer.cpp: the run as a whole, and the events methods act on.
  TrainResult fit();
  TrainResult finish(FitRun& run);
  // Runs every method that matches `e`; AFTER_* events in reverse order.
  void fire(Event e);
  void fireMethods(Event e);
  bool anyMethodAt(Event e) const;

  // Resume.cpp
  void resume(FitRun& run);
  void checkpoint(FitRun& run, int64_t epoch);
  CheckpointParts checkpointParts();

  // EpochLoop.cpp
  void runEpoch(FitRun& run, int64_t epoch);
  double trainStep(EpochRun& epoch, const torch::Tensor& x, const torch::Tensor& y);
  void afterStep(FitRun& run, EpochRun& epoch, int64_t batchExamples, double lr);
  void updateTrainTime(FitRun& run, EpochRun& epoch);
  void countBytesReduced(FitRun& run);
  void checkpointIfDue(FitRun& run, EpochRun& epoch);
  void readLosses(FitRun& run, EpochRun& epoch);

  // Evaluation.cpp
  // The held-out examples stand in for the test split during the run.
  const Split& evalSplit() const { return data.holdout.size() > 0 ? data.holdout : data.test; }
  const char* evalSplitName() const { return data.holdout.size() > 0 ? "holdout" : "test"; }
  std::pair<double, double> evaluate() { return evaluateOn(evalSplit()); }
  std::pair<double, double> evaluateOn(const Split& test);
  void evaluateIfDue(FitRun& run, EpochRun& epoch);
  void evaluateEpochEnd(FitRun& run, const EpochRun& epoch, EpochResult& er);
  void recordEvaluation(FitRun& run, const EvalPoint& e);
  void restartEvalLog(FitRun& run);
  void finalTest(FitRun& run);

  // RunLog.cpp
  void logFindings(FitRun& run);
  void logTrainRecord(FitRun& run, const EpochRun& epoch, double lr, double rate);
  void logProgress(FitRun& run, const EpochRun& epoch, double rate);
  void logMidEpochEvaluation(FitRun& run, double accuracy);
  void logEpoch(FitRun& run, const EpochRun& epoch, const EpochResult& er);
  void logFinalTest(FitRun& run, double testLoss);

  const plan::Plan& plan;
  TrainOptions options;
  torch::Device device;
  Dataset ownedData;
  const Dataset& data;
  PlanModel model;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  LrSchedule schedule;
  Augmenter augment;
  BatchLoader loader;
  TrainState state;
  FlopCounter flops;
  TestTimeAugmentation tta;
  std::vector<std::unique_ptr<Method>> methods;
};

} // namespace fiver::runtime
