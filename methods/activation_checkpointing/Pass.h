// activation_checkpointing: which ops recompute their activations in the
// backward pass.
//
// Requires: an activation_checkpointing method (segments).
// Changes: the ops after the model's input are cut where a single tensor
// crosses (every later op reads only that op's output or later ones) and the
// pieces grouped, in order, into `segments` runs of about equal activation
// size (the elements of their outputs); each op of run k gets `recompute: k`.
// The runtime (runtime/model/RecomputedSegment.h) keeps only a run's inputs
// and recomputes the rest in backward. Ops and shapes do not change.
#pragma once

#include "passes/Pass.h"

#include <cstdint>
#include <vector>

namespace fiver::passes {

class ActivationCheckpointingPass : public Pass {
public:
  std::string_view name() const override { return "activation_checkpointing"; }
  std::string_view enabledBy() const override { return "activation_checkpointing"; }
  // Segments the graph every other pass leaves: fusion and the architecture
  // passes change the ops a segment holds.
  std::vector<std::string_view> runsAfter() const override {
    return {"op_fusion",
            "mixed_precision",
            "channels_last",
            "layer_freezing",
            "stochastic_depth",
            "progressive_growing",
            "lora",
            "factorize",
            "blurpool",
            "squeeze_excite",
            "weight_tying",
            "alibi",
            "progressive_resolution"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

// Groups pieces of the given activation sizes, in order, into at most
// `segments` runs of about equal total size: the index of the first piece
// of each run.
std::vector<size_t> balancedRuns(const std::vector<int64_t>& pieceSizes, int64_t segments);

} // namespace fiver::passes
