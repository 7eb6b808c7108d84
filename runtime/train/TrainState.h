// What methods see and may change during training.
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/metrics/FlopCounter.h"
#include "runtime/model/PlanModel.h"

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>

namespace fiver::runtime {

class BatchLoader;
class Collectives;

struct TrainState {
  TrainState(const plan::Plan& p, PlanModel& m, torch::optim::Optimizer& o)
      : plan(p), model(m), optimizer(o) {}

  const plan::Plan& plan;
  PlanModel& model;
  torch::optim::Optimizer& optimizer;

  int64_t step = 0;  // 0-based index of the current (or next) optimizer step
  int64_t epoch = 0; // 0-based

  torch::Tensor images;  // the current batch
  torch::Tensor labels;  // class indices
  torch::Tensor targets; // soft targets (B x classes); undefined: use labels
  double labelSmoothing = 0;
  // Evaluation averages each image's logits with its mirror's (flip_tta).
  bool flipAtEvaluation = false;
  // Evaluation also averages the images shifted by this many pixels
  // (translate_tta); 0: no shifted views.
  int64_t translateAtEvaluation = 0;
  torch::Tensor output;
  torch::Tensor loss;

  // The in-memory training split, for methods that re-estimate batch-norm
  // statistics (swa); null when the caller supplies none.
  const torch::Tensor* trainImages = nullptr;
  int64_t batchSize = 256;
  // Where training batches come from; data methods change its sampler, batch
  // size or echoing (null when the caller drives hooks without a loader).
  BatchLoader* loader = nullptr;

  // The processes training this model together; null in a single process.
  Collectives* collectives = nullptr;
  // Set once this step's gradients hold the average over all ranks (by data
  // parallelism, or by a compression method that reduced them itself).
  bool gradientsReduced = false;

  // The loss an update differentiates: the objective of `output` against the
  // labels (or targets), with every loss-phase method applied (it fires
  // BEFORE_LOSS and AFTER_LOSS). The step's first pass, a recomputation and
  // lr_range_test's sweep all use it, so label_smoothing or bce_for_mixup
  // shape every gradient that reaches the optimizer. Sets state.loss; set by
  // the trainer (null when a caller drives hooks without one).
  std::function<torch::Tensor()> updateLoss;
  // Runs forward, loss (updateLoss) and backward again on the current batch
  // at the current weights, replacing the gradients; state.loss, state.output
  // and batch-norm statistics keep the step's first pass. For methods that
  // need a second gradient (sam); set by the trainer, single process only.
  std::function<void()> recomputeGradients;
  // Backward passes run so far, recomputations included.
  int64_t gradientEvaluations = 0;

  // The run's FLOP counter: methods report the work they add, and what they
  // leave out of a step, through runtime/train/FlopCharges.h. Null when the
  // caller counts nothing.
  FlopCounter* flops = nullptr;

  // Replaces the schedule's peak learning rate (lr_range_test); set by the trainer.
  std::function<void(double)> setPeakLearningRate;
  // What methods found before or during training ("lr_range_test.lr"): the
  // trainer logs them and puts them in the run's result.
  std::map<std::string, double> findings;
};

} // namespace fiver::runtime
