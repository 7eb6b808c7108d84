// Floating-point operations a run executed, from the plan's per-op cost model
// (compiler/plan/OpCost): every training step's forward and backward pass at
// the batch's real size and resolution, the extra work methods report through
// their hooks (scoring passes, a learning-rate sweep, weight averages), and
// evaluation, kept apart from training. Torch-free, so tests can check it by
// hand.
//
// What a step's pass costs is the methods' to say too: layer_freezing reports
// the ops it froze (their backward pass, and that of every op before them that
// nothing trainable needs, is not run), stochastic_depth the residual branches
// it dropped this step (their ops are not run at all).
//
// Each op's cost is taken once per image at the plan's full input size; an op
// that reads or writes a feature map (a 3-D shape without the batch) scales
// with the area of the step's input, the others (the classifier after global
// pooling) do not. In a sequence model (input [T]) every op scales with the
// step's sequence length as "height" (width 1).
#pragma once

#include "compiler/plan/Plan.h"

#include <array>
#include <cstdint>
#include <set>
#include <vector>

namespace fiver::runtime {

// What the FLOPs were spent on. Everything but evaluation is training work:
// a speedup method's own passes are part of what it costs to train.
enum class FlopKind {
  Step,       // the training steps' forward and backward passes (sam's second included)
  Scoring,    // scoring passes that choose data (selective_backprop, data_pruning, curriculum)
  Sweep,      // a search run before training (lr_range_test)
  Averaging,  // weight averages (ema, swa) and what they recompute (swa's batch-norm pass)
  Evaluation, // evaluation passes; not training
  Count
};
const char* flopKindName(FlopKind kind); // "step", "scoring", ...

class FlopCounter {
public:
  explicit FlopCounter(const plan::Plan& plan);

  // What passes over `images` examples of HxW cost, for methods that run
  // their own: a forward pass of every op, and a forward and backward pass of
  // a model that trains every op (a fresh copy, or the model before anything
  // froze).
  double forwardFlops(int64_t images, int64_t height, int64_t width) const;
  double trainingPassFlops(int64_t images, int64_t height, int64_t width) const;
  // The current step's forward and backward pass: without the backward pass
  // of frozen ops nothing trainable needs, and without dropped branches.
  double stepFlops(int64_t images, int64_t height, int64_t width) const;

  // Hooks report what they change. freeze: the op (plan index) trains no
  // more, from now on. dropBranches: these residual adds (plan indices) pass
  // only their skip input in the current step; addStep forgets them.
  void freeze(int op);
  void dropBranches(std::set<int> adds);
  void charge(FlopKind kind, double flops);

  // Counts a step that ran `passes` forward-backward passes (a method that
  // recomputes gradients, such as sam, runs two).
  void addStep(int64_t images, int64_t height, int64_t width, int64_t passes = 1);

  double training() const; // every kind but evaluation
  double evaluation() const { return of(FlopKind::Evaluation); }
  double of(FlopKind kind) const { return byKind_[static_cast<size_t>(kind)]; }
  double total() const { return training(); }
  // Weights and biases the plan's model trains (shared ones once).
  int64_t parameters() const { return parameters_; }

  // Resuming from a checkpoint that recorded no FLOPs: the steps [0, steps)
  // it covers, counted as the plan schedules them (its batch size,
  // resolution stages and freeze steps, one pass each).
  void addPlannedSteps(const plan::Plan& plan, int64_t steps);
  // Resuming from a checkpoint that recorded what its steps executed.
  void addCounted(double flops) { charge(FlopKind::Step, flops); }

private:
  struct OpShare {
    double forward = 0;  // per image, at full size
    double backward = 0; // per image, at full size
    bool spatial = false;
    bool ownParameters = false;
    bool frozen = false;
    bool residualAdd = false;
    int64_t planFreezeStep = -1; // for addPlannedSteps only
    std::vector<int> inputs;
  };
  // Per image at HxW; `frozen(i)` says whether op i trains no more.
  template <typename Frozen>
  double passFlops(double area, bool backward, const std::set<int>& dropped, Frozen frozen) const;
  double areaOf(int64_t height, int64_t width) const;

  std::vector<OpShare> ops_;
  double fullArea_ = 1;
  int64_t parameters_ = 0;
  std::set<int> droppedBranches_;
  std::array<double, static_cast<size_t>(FlopKind::Count)> byKind_{};
};

// Achieved FLOP/s over the training time, and MFU against a peak; 0 when
// either is unknown. Never clamped: a figure above 1 means the FLOPs or the
// peak are wrong, and must show.
double flopsPerSecond(double flops, double seconds);
double modelFlopsUtilization(double achievedFlopsPerSecond, double peakFlopsPerSecond);

} // namespace fiver::runtime
