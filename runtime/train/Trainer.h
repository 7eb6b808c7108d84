// Executes a plan: builds data, model, optimizer and methods, then runs the
// training loop as a sequence of events.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/data/Dataset.h"
#include "runtime/model/PlanModel.h"
#include "runtime/profile/OpTimes.h"
#include "runtime/profile/PhaseTimer.h"
#include "runtime/train/Collectives.h"
#include "runtime/train/Method.h"
#include "runtime/train/RunObserver.h"
#include "runtime/train/TrainState.h"

#include <map>
#include <memory>
#include <optional>

#include <string>
#include <vector>

namespace fiver::runtime {

struct TrainOptions {
  std::string outDir;         // metrics.jsonl, eval.jsonl and summary.json go here ("" = nowhere)
  int threads = 0;            // intra-op threads; 0 = every core
  std::string device = "cpu"; // see resolveDevice
  // Data parallelism across processes (null: a single process). Each rank
  // trains on its shard of every global batch; the plan's batch size is global.
  Collectives* collectives = nullptr;
  bool syncBatchNorm = false;
  // Checkpoints go to outDir/checkpoint.pt every `checkpointEvery` steps (0:
  // only at the end) and at the end; none without an outDir.
  int64_t checkpointEvery = 0;
  // Continue from outDir/checkpoint.pt when there is one.
  bool resume = false;
  // False on data-parallel ranks other than 0: they read outDir's checkpoint
  // when resuming but write nothing there.
  bool writeOutputs = true;
  // `5rc profile`: time per phase of each step, and per op of the forward
  // and backward passes (indexed like the plan's ops); null when not profiling.
  PhaseTimer* phases = nullptr;
  OpTimes* opTimes = nullptr;
  int64_t maxSteps = 0; // stop early (smoke tests); 0 = the plan's budget
  bool quiet = false;
  bool evalEachEpoch = true;
  // Prepare the next batches on a background thread (BatchLoader::setPrefetch).
  bool prefetch = true;
  bool fusedOptimizer = true; // SGD and AdamW step through fused kernels
  // Time to this accuracy on the evaluation split (0: none): `--target`, or
  // the recipe's `target accuracy >= X` passed by `5rc run`.
  double targetAccuracy = 0;
  std::string tta = "none"; // test-time augmentation at evaluation: none or flip
  // Also evaluate every N steps (0: at epoch ends only), so that the time to
  // a target is read finer than once an epoch. Evaluation is not train time.
  int64_t evalEvery = 0;
  // Shown every event around the plan's methods (tests); not owned.
  std::vector<RunObserver*> observers;
};

// Evaluated on the run's evaluation split: the plan's holdout when it has
// one, the test split otherwise (TrainResult::evalSplit says which).
struct EpochResult {
  int64_t epoch = 0;
  double accuracy = 0;
  double loss = 0;
  double trainSeconds = 0; // cumulative, training steps only
};

// An evaluation between epoch ends (TrainOptions::evalEvery), or any
// evaluation on the evaluation split (TrainResult::evaluations).
struct EvalPoint {
  int64_t step = 0;
  double epoch = 0; // epochs done, fractional
  double accuracy = 0;
  double trainSeconds = 0; // cumulative, training steps only
};

struct TrainResult {
  int64_t steps = 0;
  std::vector<double> stepLosses;
  std::vector<int64_t> stepBytesReduced; // per step, data-parallel runs only
  std::vector<EpochResult> epochs;
  // Every evaluation on the evaluation split, in order, once each: the
  // --eval-every points and the epoch ends (an epoch end at an --eval-every
  // point is one evaluation). outDir/eval.jsonl holds the same lines
  // (docs/eval-log.md); resumed runs include those before the checkpoint.
  std::vector<EvalPoint> evaluations;
  std::vector<EvalPoint> evalPoints; // resumed runs include those before the checkpoint
  std::string evalSplit = "test";    // "holdout" when the plan holds examples out
  double holdoutAccuracy = 0;        // the last holdout evaluation; 0 without a holdout
  // The test split: with a holdout, evaluated once, at the end.
  double testAccuracy = 0;
  double trainSeconds = 0;
  double imagesPerSecond = 0;
  std::map<std::string, double> findings; // TrainState::findings at the end
  double totalSeconds = 0;                // wall time of fit(), evaluation included
  // FLOPs (runtime/metrics/FlopCounter): training (steps and the work
  // methods add, by kind), and evaluation apart; and the model's parameters.
  double flops = 0;
  std::map<std::string, double> trainFlopsByKind;
  double evalFlops = 0;
  int64_t parameters = 0;
  // At the first evaluation reaching TrainOptions::targetAccuracy; none when
  // no evaluation did (or there is no target).
  std::optional<double> targetTrainSeconds;
  std::optional<double> targetTotalSeconds;
};

class Trainer {
public:
  // `data` may be passed in (tests reuse one load); otherwise the plan's task
  // is loaded.
  Trainer(const plan::Plan& plan, const TrainOptions& options, const Dataset* data = nullptr);
  ~Trainer();

  TrainResult fit();
  // Accuracy and mean loss on the evaluation split (the holdout when the plan
  // has one, else the test split), as the methods want it evaluated.
  std::pair<double, double> evaluate();

  // Restoring a finished (or stopped) run without training it further
  // (RestoredRun.cpp): loads the checkpoint into the model, optimizer and
  // methods as --resume does, and returns the step it was written at.
  int64_t restore(const std::string& checkpointPath);
  // From enterEvaluation to leaveEvaluation the model holds the weights the
  // run evaluates with (ema and swa swap theirs in) and is in eval mode.
  void enterEvaluation();
  void leaveEvaluation();
  // Whether evaluation averages each image with its mirror (flip_tta).
  bool flipsAtEvaluation() const;
  // Whether evaluation also averages shifted images (translate_tta).
  bool translatesAtEvaluation() const;
  const Dataset& data() const;

  PlanModel& model();
  // What the methods see; tests drive single hooks with it.
  TrainState& state();
  const std::vector<std::unique_ptr<Method>>& methods() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

TrainResult train(const plan::Plan& plan, const TrainOptions& options,
                  const Dataset* data = nullptr);

} // namespace fiver::runtime
