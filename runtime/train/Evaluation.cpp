// Evaluations of a run: on the evaluation split every `evalEvery` steps and
// at epoch ends, each recorded once (TrainResult::evaluations, eval.jsonl),
// and with a holdout, the test split once after training.
#include "runtime/train/TrainerImpl.h"

#include "runtime/train/FlopCharges.h"
#include "runtime/train/Loss.h"

#include <algorithm>
#include <tuple>

namespace fiver::runtime {

namespace {

EvalLogLine logLineOf(const EvalPoint& e) {
  return {e.step, e.epoch, e.trainSeconds, e.accuracy};
}

} // namespace

std::pair<double, double> Trainer::Impl::evaluateOn(const Split& test) {
  torch::NoGradGuard noGrad;
  fire(Event::EvalStart);
  model->eval();
  int64_t correct = 0, predictions = 0; // a sequence model predicts every token
  double lossSum = 0;
  namespace F = torch::nn::functional;
  for (int64_t start = 0; start < test.size(); start += plan.training.evalBatchSize) {
    int64_t n = std::min(plan.training.evalBatchSize, test.size() - start);
    torch::Tensor x = test.images.narrow(0, start, n), y = test.labels.narrow(0, start, n);
    torch::Tensor out;
    const TestTimeAugmentation views = state.flipAtEvaluation ? TestTimeAugmentation::Flip : tta;
    chargeForward(state, FlopKind::Evaluation, x,
                  static_cast<double>(evaluationViews(views, state.translateAtEvaluation)));
    std::tie(out, y) =
        flattenPositions(evaluationLogits(model, x, views, state.translateAtEvaluation), y);
    predictions += y.size(0);
    correct += out.argmax(1).eq(y).sum().item<int64_t>();
    lossSum += F::cross_entropy(out, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
  }
  model->train();
  fire(Event::EvalEnd);
  double count = static_cast<double>(std::max<int64_t>(1, predictions));
  return {static_cast<double>(correct) / count, lossSum / count};
}

// An --eval-every point: between epoch ends, finer than once an epoch.
void Trainer::Impl::evaluateIfDue(FitRun& run, EpochRun& epoch) {
  if (options.evalEvery <= 0 || state.step % options.evalEvery != 0 || state.step >= run.total)
    return;
  if (!epoch.losses.empty()) {
    readLosses(run, epoch);
    run.trainSeconds = epoch.trainSecondsNow();
  }
  const auto before = Clock::now();
  const auto [accuracy, evalLoss] = evaluate();
  epoch.timeOff += Clock::now() - before;
  const EvalPoint point{state.step,
                        static_cast<double>(state.step) /
                            static_cast<double>(plan.training.stepsPerEpoch),
                        accuracy, run.trainSeconds};
  run.result.evalPoints.push_back(point);
  recordEvaluation(run, point);
  run.lastEvalLoss = {state.step, evalLoss};
  run.lastAccuracy = accuracy;
  run.timeToTarget.observe(accuracy, run.trainSeconds, run.totalSeconds());
  logMidEpochEvaluation(run, accuracy);
}

void Trainer::Impl::evaluateEpochEnd(FitRun& run, const EpochRun& epoch, EpochResult& er) {
  const bool cutShort = state.step >= run.total || run.outOfTime;
  // An --eval-every point at the epoch's last step has evaluated this
  // model already when no method acts at the epoch's end: that evaluation
  // is the epoch's too, and the log keeps one line for it.
  const std::vector<EvalPoint>& done = run.result.evaluations;
  const bool evaluatedHere =
      !done.empty() && done.back().step == state.step && !anyMethodAt(Event::EpochEnd);
  if (evaluatedHere && run.lastEvalLoss && run.lastEvalLoss->first == state.step) {
    er.accuracy = done.back().accuracy;
    er.loss = run.lastEvalLoss->second;
  } else {
    std::tie(er.accuracy, er.loss) = evaluate();
    run.lastEvalLoss = {state.step, er.loss};
  }
  if (!evaluatedHere) {
    // Epochs done: all of this one when its batches ran out, else the
    // part of it the steps cover (a step or time budget ended it).
    const double index = static_cast<double>(epoch.index);
    const double epochsDone = cutShort
                                  ? std::clamp(static_cast<double>(state.step) /
                                                   static_cast<double>(plan.training.stepsPerEpoch),
                                               index, index + 1)
                                  : index + 1;
    recordEvaluation(run, {state.step, epochsDone, er.accuracy, run.trainSeconds});
  }
  run.result.testAccuracy = er.accuracy;
  run.lastAccuracy = er.accuracy;
  run.timeToTarget.observe(er.accuracy, run.trainSeconds, run.totalSeconds());
}

void Trainer::Impl::recordEvaluation(FitRun& run, const EvalPoint& e) {
  run.result.evaluations.push_back(e);
  run.evalLog.append(logLineOf(e));
}

// eval.jsonl: a resumed run starts from the evaluations its checkpoint
// holds, so that none is written twice.
void Trainer::Impl::restartEvalLog(FitRun& run) {
  std::vector<EvalLogLine> earlier;
  for (const EvalPoint& e : run.result.evaluations)
    earlier.push_back(logLineOf(e));
  run.evalLog.restart(earlier);
}

// With a holdout the test split is evaluated once, after training, and
// labelled as such: nothing during the run may be tuned on it.
void Trainer::Impl::finalTest(FitRun& run) {
  TrainResult& result = run.result;
  result.evalSplit = "holdout";
  result.holdoutAccuracy = result.testAccuracy;
  double testLoss = 0;
  std::tie(result.testAccuracy, testLoss) = evaluateOn(data.test);
  logFinalTest(run, testLoss);
}

} // namespace fiver::runtime
