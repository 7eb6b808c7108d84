// What a run writes as it goes: metrics.jsonl records and the lines a person
// reads (progress, epochs, findings, the final test).
#include "runtime/train/TrainerImpl.h"

#include "runtime/metrics/ProgressLine.h"
#include "runtime/metrics/StartupTimeline.h"

#include <cstdio>

namespace fiver::runtime {

namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

} // namespace

void Trainer::Impl::logFindings(FitRun& run) {
  for (const auto& [name, value] : state.findings) {
    run.log->write({{"event", "finding"}, {"name", name}, {"value", value}});
    run.log->line(name + " = " + std::to_string(value));
  }
}

void Trainer::Impl::logTrainRecord(FitRun& run, const EpochRun& epoch, double lr, double rate) {
  nlohmann::json record = {{"event", "train"},
                           {"step", state.step},
                           {"epoch", epoch.index + 1},
                           {"loss", epoch.loss},
                           {"lr", lr},
                           {"images_per_second", rate},
                           {"train_seconds", run.trainSeconds},
                           {"batches_loaded", loader.loads()}};
  if (state.collectives) record["bytes_all_reduced_per_step"] = run.lastStepBytesReduced;
  run.log->write(record);
}

void Trainer::Impl::logProgress(FitRun& run, const EpochRun& epoch, double rate) {
  run.log->progress(progressLine({epoch.index + 1, run.epochs, state.step, run.total, epoch.loss,
                                  run.lastAccuracy, evalSplitName(), rate, run.trainSeconds}));
}

void Trainer::Impl::logMidEpochEvaluation(FitRun& run, double accuracy) {
  run.log->write({{"event", "eval"},
                  {"step", state.step},
                  {std::string(evalSplitName()) + "_accuracy", accuracy},
                  {"train_seconds", run.trainSeconds}});
}

void Trainer::Impl::logEpoch(FitRun& run, const EpochRun& epoch, const EpochResult& er) {
  const std::string split = evalSplitName();
  if (er.epoch == run.firstEpoch + 1) { // what the first epoch's extra time went to
    nlohmann::json startup = startupJson(startupReport());
    startup["event"] = "startup";
    run.log->write(startup);
  }
  run.log->write({{"event", "eval"},
                  {"epoch", er.epoch},
                  {"step", state.step},
                  {"train_loss", epoch.meanLoss()},
                  {split + "_accuracy", er.accuracy},
                  {split + "_loss", er.loss},
                  {"train_seconds", run.trainSeconds},
                  {"epoch_seconds", secondsSince(epoch.start)}});
  run.log->line("epoch " + std::to_string(er.epoch) + "/" + std::to_string(run.epochs) + "  loss " +
                fixed(epoch.meanLoss(), 4) + "  " + split + " acc " + percent(er.accuracy) +
                "  train " + fixed(run.trainSeconds, 1) + " s");
}

void Trainer::Impl::logFinalTest(FitRun& run, double testLoss) {
  const TrainResult& result = run.result;
  run.log->write({{"event", "final_test"},
                  {"step", state.step},
                  {"test_accuracy", result.testAccuracy},
                  {"test_loss", testLoss},
                  {"holdout_accuracy", result.holdoutAccuracy}});
  run.log->line("final test acc " + percent(result.testAccuracy) +
                " (evaluated once, after training)  holdout acc " +
                percent(result.holdoutAccuracy));
}

} // namespace fiver::runtime
