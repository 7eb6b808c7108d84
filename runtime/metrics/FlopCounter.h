// Floating-point operations a run executed, step by step, from the plan's
// per-op cost model (compiler/plan/OpCost): forward and backward at the
// batch's real size and resolution, without the backward pass of ops that a
// frozen prefix leaves untrained. Torch-free, so tests can check it by hand.
//
// Each op's cost is taken once per image at the plan's full input size; an op
// that reads or writes a feature map (a 3-D shape without the batch) scales
// with the area of the step's input, the others (the classifier after global
// pooling) do not. In a sequence model (input [T]) every op scales with the
// step's sequence length as "height" (width 1). Evaluation is not counted:
// MFU measures training.
#pragma once

#include "compiler/plan/Plan.h"

#include <cstdint>
#include <vector>

namespace fiver::runtime {

class FlopCounter {
public:
  explicit FlopCounter(const plan::Plan& plan);

  // One forward and backward pass over `images` examples of HxW at `step`
  // (0-based), with the ops frozen by then (layer_freezing) not trained.
  double stepFlops(int64_t images, int64_t height, int64_t width, int64_t step) const;

  // Counts a step that ran `passes` forward-backward passes (a method that
  // recomputes gradients, such as sam, runs two).
  void addStep(int64_t images, int64_t height, int64_t width, int64_t step, int64_t passes = 1);
  double total() const { return total_; }
  // Resuming: the steps [0, steps) the checkpoint covers, counted as the plan
  // schedules them (its batch size and resolution stages, one pass each).
  void addPlannedSteps(const plan::Plan& plan, int64_t steps);
  // Resuming from a checkpoint that recorded what its steps executed.
  void addCounted(double flops) { total_ += flops; }

private:
  struct OpShare {
    double forward = 0;  // per image, at full size
    double backward = 0; // per image, at full size
    bool spatial = false;
    bool ownParameters = false;
    int64_t freezeStep = -1; // -1: never frozen
    std::vector<int> inputs;
  };
  std::vector<OpShare> ops_;
  double fullArea_ = 1;
  double total_ = 0;
};

// Achieved FLOP/s over the training time, and MFU against a peak; 0 when
// either is unknown.
double flopsPerSecond(double flops, double seconds);
double modelFlopsUtilization(double achievedFlopsPerSecond, double peakFlopsPerSecond);

} // namespace fiver::runtime
