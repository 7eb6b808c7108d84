// channel_pruning: marks the convolutions whose filters can be removed.
//
// Requires: a channel_pruning method (ratio, at).
// Changes: nothing in the model's shape; each prunable convolution (one
// group) `C` gets `prune_keep` (the filters it keeps) and `prune_step` (the
// step before which they are removed); each per-channel op between C and the
// one layer that reads its channels gets `pruned_with: C`, and that layer
// `pruned_input_of: C` with `pruned_input_block`, the features each channel
// becomes there (H·W after a flatten, 1 otherwise). A model with no
// prunable convolution is an error naming why each one is not.
#pragma once

#include "passes/Pass.h"

#include <cstdint>
#include <string>

namespace fiver::passes {

// The channel group a convolution heads: the per-channel ops its output
// passes through, and the layer that reads it. `why` says why there is none
// (empty when there is).
struct PrunableChannels {
  std::vector<ir::OpId> perChannel;
  ir::OpId reader = 0;
  int64_t block = 1;
  std::string why;
};
PrunableChannels prunableChannels(const ir::TrainingGraph& g, ir::OpId conv);

// The filters a convolution of `out` keeps when `ratio` of them go: at least one.
int64_t keptFilters(int64_t out, double ratio);

class ChannelPruningPass : public Pass {
public:
  std::string_view name() const override { return "channel_pruning"; }
  std::string_view enabledBy() const override { return "channel_pruning"; }
  // Marks the layers as the architecture passes leave them.
  std::vector<std::string_view> runsAfter() const override {
    return {"weight_tying", "factorize", "blurpool", "squeeze_excite", "lora"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
