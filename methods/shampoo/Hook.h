// The runtime hook of shampoo: the preconditioner (usable and testable alone)
// plus the Method that applies it to the gradients before the optimizer step.
#pragma once

#include "runtime/train/Method.h"

#include <vector>

namespace fiver::runtime {

struct ShampooSettings {
  int64_t updateEvery = 10; // steps between recomputations of the inverse roots
  double epsilon = 1e-6;    // added to each factor, relative to its largest eigenvalue
  int64_t maxDim = 1024;    // sides longer than this get no factor
};

// Shampoo's statistics for a fixed list of parameters (by position). Every
// parameter with two or more dimensions is treated as the matrix G of its
// first dimension by the rest; vectors are left alone.
class ShampooPreconditioner {
public:
  explicit ShampooPreconditioner(ShampooSettings settings) : settings_(settings) {}

  // Adds G Gᵀ and Gᵀ G to each matrix's statistics, recomputes the inverse
  // roots when `step` is a multiple of updateEvery (or none exist yet), and
  // replaces each gradient by L^-1/4 G R^-1/4 at the gradient's own norm.
  // Returns the floating-point operations it took.
  double precondition(const std::vector<torch::Tensor>& params, int64_t step);

  void saveState(MethodState& out) const;
  void loadState(const MethodState& in);

private:
  // One side of a matrix: the sum of its outer products and its inverse root.
  struct Factor {
    torch::Tensor statistics, inverseRoot;
  };
  struct Entry {
    Factor left, right;
  };
  double preconditionOne(Entry& entry, const torch::Tensor& grad, bool refresh);
  void refreshRoot(Factor& factor, double power) const;

  ShampooSettings settings_;
  std::vector<Entry> entries_;
};

class Shampoo : public Method {
public:
  explicit Shampoo(ShampooSettings settings) : preconditioner_(settings) {}
  bool match(Event e, const TrainState&) const override { return e == Event::BeforeOptimizerStep; }
  void apply(Event e, TrainState& s) override;
  void saveState(MethodState& out) const override { preconditioner_.saveState(out); }
  void loadState(const MethodState& in) override { preconditioner_.loadState(in); }

private:
  ShampooPreconditioner preconditioner_;
};

} // namespace fiver::runtime
