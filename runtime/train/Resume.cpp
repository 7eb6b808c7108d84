// Checkpoints of a run: writing one (every `checkpointEvery` steps and at the
// end), and continuing from one, so that a resumed run carries on with the
// same steps, times, counts and records as if it had never stopped.
#include "runtime/train/TrainerImpl.h"

#include <cstdio>

namespace fiver::runtime {

namespace {

std::vector<double> flopsByKind(const FlopCounter& flops) {
  std::vector<double> byKind;
  for (size_t k = 0; k < static_cast<size_t>(FlopKind::Count); ++k)
    byKind.push_back(flops.of(static_cast<FlopKind>(k)));
  return byKind;
}

// The steps before the checkpoint as they ran (shortened sequences,
// recomputed gradients); older checkpoints: as the plan schedules them.
void restoreFlops(FlopCounter& flops, const CheckpointProgress& saved, const plan::Plan& plan) {
  if (!saved.flopsByKind.empty())
    for (size_t k = 0; k < saved.flopsByKind.size(); ++k)
      flops.charge(static_cast<FlopKind>(k), saved.flopsByKind[k]);
  else if (saved.flops >= 0)
    flops.addCounted(saved.flops);
  else
    flops.addPlannedSteps(plan, saved.step);
}

void restoreRecords(TrainResult& result, const CheckpointProgress& saved, int64_t firstEpoch) {
  result.epochs = saved.epochs;
  // The epoch under way at the checkpoint is run to its end again and
  // recorded then: a record of it (it was cut short) goes.
  while (!result.epochs.empty() && result.epochs.back().epoch > firstEpoch)
    result.epochs.pop_back();
  result.evalPoints = saved.evalPoints;
  result.evaluations = saved.evaluations;
  if (!result.epochs.empty()) result.testAccuracy = result.epochs.back().accuracy;
}

} // namespace

CheckpointParts Trainer::Impl::checkpointParts() {
  return {plan, model, *optimizer, methods};
}

void Trainer::Impl::resume(FitRun& run) {
  CheckpointProgress saved = loadCheckpoint(run.checkpointPath, checkpointParts());
  state.step = saved.step;
  run.firstEpoch = saved.epoch;
  run.resumePosition = saved.loader;
  run.trainSeconds = saved.trainSeconds;
  run.totalBefore = saved.totalSeconds;
  run.images = saved.images;
  restoreFlops(flops, saved, plan);
  restoreRecords(run.result, saved, run.firstEpoch);
  if (!run.metricsPath.empty()) {
    run.log.reset();
    MetricsLog::keepRecordsCoveredBy(run.metricsPath, saved.step);
    run.log = std::make_unique<MetricsLog>(run.metricsPath, options.quiet, true);
  }
  // Said even when quiet: a resumed run must never pass for a fresh one.
  if (options.writeOutputs)
    std::fprintf(stderr, "resumed from %s at step %lld\n", run.checkpointPath.c_str(),
                 static_cast<long long>(saved.step));
}

void Trainer::Impl::checkpoint(FitRun& run, int64_t epoch) {
  if (run.checkpointPath.empty() || !options.writeOutputs) return;
  const TrainResult& r = run.result;
  saveCheckpoint(run.checkpointPath, checkpointParts(),
                 {state.step, epoch, loader.position(), run.trainSeconds, run.totalSeconds(),
                  flops.total(), run.images, r.epochs, r.evalPoints, r.evaluations, state.findings,
                  flopsByKind(flops)});
}

} // namespace fiver::runtime
