// One epoch of training: its batches, each a step through the events, and
// what follows each step (train time, the time budget, counts, and the
// evaluations, checkpoints and log lines that fall due).
#include "runtime/train/TrainerImpl.h"

#include "runtime/metrics/StartupTimeline.h"
#include "runtime/metrics/TensorMemory.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/train/Device.h"

#include <algorithm>

namespace fiver::runtime {

namespace {

std::string shapeText(const torch::Tensor& t) {
  std::string text;
  for (int64_t d : t.sizes())
    text += (text.empty() ? "" : "x") + std::to_string(d);
  return text;
}

} // namespace

void Trainer::Impl::runEpoch(FitRun& run, int64_t epochIndex) {
  state.epoch = epochIndex;
  loader.startEpoch(epochIndex);
  bool resumedEpoch = false;
  if (run.resumePosition) {
    loader.restore(*run.resumePosition);
    resumedEpoch = run.resumePosition->drawn > 0;
    run.resumePosition.reset();
  }
  model->train();
  fire(Event::EpochStart);
  EpochRun epoch(epochIndex, run.trainSeconds, device.is_cuda() && !state.collectives);
  epoch.resumed = resumedEpoch;
  run.epochHadBatches = false;
  torch::Tensor x, y;
  while (state.step < run.total && !run.outOfTime && loader.next(x, y)) {
    run.epochHadBatches = true;
    const double lr = trainStep(epoch, x, y);
    afterStep(run, epoch, x.size(0), lr);
  }
  if (!epoch.losses.empty()) {
    readLosses(run, epoch);
    run.trainSeconds = epoch.trainSecondsNow();
  }
  run.epochHadBatches = run.epochHadBatches || epoch.resumed;
  markStartup("first_epoch_trained");
  fire(Event::EpochEnd);
  EpochResult er;
  er.epoch = epochIndex + 1;
  er.trainSeconds = run.trainSeconds;
  if (options.evalEachEpoch || state.step >= run.total || run.outOfTime)
    evaluateEpochEnd(run, epoch, er);
  run.result.epochs.push_back(er);
  logEpoch(run, epoch, er);
}

// One optimizer step on the batch (x, y), through every event of a step.
// Returns the learning rate it used.
double Trainer::Impl::trainStep(EpochRun& epoch, const torch::Tensor& x, const torch::Tensor& y) {
  startStepMemory();
  fire(Event::BatchStart);
  state.images = augment(x);
  state.labels = y;
  state.targets = torch::Tensor();
  fire(Event::AfterData);
  // The first steps and the first at each new input shape are timed on
  // their own (StartupTimeline.h): the device is waited for around them.
  const std::string shape = shapeText(state.images);
  const bool watched = watchesStep(shape);
  if (watched) synchronize(device);
  const auto computeStart = Clock::now();
  const double lr = schedule.at(state.step);
  setLearningRate(*optimizer, lr);
  fire(Event::BeforeForward);
  if (PhaseTimer* t = options.phases) {
    model->setOpTimes(t->counting() ? options.opTimes : nullptr);
    t->enter(Phase::Forward);
  }
  const int64_t passesBefore = state.gradientEvaluations;
  state.output = model->forward(state.images);
  // Token batches [B, T']: the sequence length stands in for the height.
  const bool spatial = state.images.dim() == 4, tokens = state.images.dim() == 2;
  const int64_t height = spatial  ? state.images.size(2)
                         : tokens ? state.images.size(1)
                                  : 1,
                width = spatial ? state.images.size(3) : 1;
  const int64_t stepImages = state.images.size(0);
  if (options.phases) options.phases->enter(Phase::Loss);
  fire(Event::AfterForward);
  state.updateLoss();
  fire(Event::BeforeBackward);
  if (options.phases) options.phases->enter(Phase::Backward);
  state.loss.backward();
  ++state.gradientEvaluations;
  if (options.phases) options.phases->enter(Phase::Optimizer);
  fire(Event::AfterBackward);
  fire(Event::BeforeOptimizerStep);
  optimizer->step();
  fire(Event::AfterOptimizerStep);
  clearGradients(*optimizer);
  if (options.phases) options.phases->enter(Phase::Other);
  epoch.losses.add(state.loss);
  fire(Event::BatchEnd);
  endStepMemory();
  if (watched) {
    synchronize(device);
    recordWatchedStep(state.step, shape, secondsSince(computeStart));
    markStartup("first_step_done");
  }
  flops.addStep(stepImages * (state.collectives ? state.collectives->size() : 1), height, width,
                state.gradientEvaluations - passesBefore);
  ++state.step;
  return lr;
}

void Trainer::Impl::afterStep(FitRun& run, EpochRun& epoch, int64_t batchExamples, double lr) {
  updateTrainTime(run, epoch);
  run.images += batchExamples * (state.collectives ? state.collectives->size() : 1);
  const double rate = static_cast<double>(run.images) / std::max(1e-9, run.trainSeconds);
  countBytesReduced(run);
  if (state.step % 50 == 0 || state.step == run.total) logTrainRecord(run, epoch, lr, rate);
  evaluateIfDue(run, epoch);
  // After the evaluation at the same step, so that a resumed run has it.
  checkpointIfDue(run, epoch);
  if (state.step % 10 == 0 || state.step == run.total) logProgress(run, epoch, rate);
  if (options.phases) options.phases->endStep(state.step - 1);
}

void Trainer::Impl::updateTrainTime(FitRun& run, EpochRun& epoch) {
  if (epoch.losses.due(state.step) || state.step == run.total) readLosses(run, epoch);
  run.trainSeconds = epoch.trainSecondsNow();
  run.outOfTime = run.timeLimit > 0 && run.trainSeconds >= run.timeLimit;
  // Ranks stop together: one rank leaving the loop alone would hang the others.
  if (run.timeLimit > 0 && state.collectives)
    run.outOfTime = state.collectives->mean(run.outOfTime ? 1.0 : 0.0) > 0;
}

void Trainer::Impl::countBytesReduced(FitRun& run) {
  if (!state.collectives) return;
  const int64_t reduced = state.collectives->bytesReduced();
  run.lastStepBytesReduced = reduced - run.bytesReducedBefore;
  run.bytesReducedBefore = reduced;
  run.result.stepBytesReduced.push_back(run.lastStepBytesReduced);
}

void Trainer::Impl::checkpointIfDue(FitRun& run, EpochRun& epoch) {
  if (options.checkpointEvery <= 0 || state.step % options.checkpointEvery != 0 ||
      state.step >= run.total)
    return;
  const auto before = Clock::now();
  checkpoint(run, epoch.index);
  epoch.timeOff += Clock::now() - before;
}

// Reads the losses queued since the last read and waits for the device, so
// that the train time read next is the device's too.
void Trainer::Impl::readLosses(FitRun& run, EpochRun& epoch) {
  for (double value : epoch.losses.read()) {
    if (state.collectives) value = state.collectives->mean(value);
    run.result.stepLosses.push_back(value);
    epoch.lossSum += value;
    ++epoch.lossCount;
    epoch.loss = value;
  }
  synchronize(device);
}

} // namespace fiver::runtime
