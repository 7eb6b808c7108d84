// The runtime hook of progressive_growing: pure functions (usable and
// testable alone) plus the Method that calls them on its events.
#pragma once

#include "runtime/train/Method.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- progressive_growing: residual blocks join the training one at a time ---
// A block that joins later: its residual add and the step it joins at (the
// plan's `grow_step`).
struct LaterBlock {
  int add = 0;
  int64_t joinStep = 0;
};
std::vector<LaterBlock> laterBlocks(const std::vector<plan::Op>& ops);
// The op that ends the block's branch (the add's input that is not its skip).
int branchEnd(const std::vector<plan::Op>& ops, int add);
// How a block is made to add nothing until it joins: the layer whose output
// ends its branch, through ops that map zero to zero (GELU, SiLU, pooling,
// blur, squeeze-excite gates), is zeroed; an attention's output projection
// alone. Zeroing it is function-preserving and the block learns from the step
// it joins, unless a ReLU stands between the layer and the add: the ReLU of
// zero passes no gradient, so that layer is held at zero only until the block
// joins, which then joins as initialized. `layer` is empty when the branch
// ends in no such layer.
struct BlockSilencer {
  std::string layer;
  bool attentionProjection = false;
  bool heldUntilJoin = false;
};
BlockSilencer silencerOf(const std::vector<plan::Op>& ops, int add);
// Zeroes what `silencer` names; returns the values it had.
std::vector<torch::Tensor> silence(PlanModel& model, const BlockSilencer& silencer);
// The blocks that training step `step` does not compute.
std::set<int> blocksNotYetJoined(const std::vector<LaterBlock>& blocks, int64_t step);

// Blocks that have not joined are left out of every training forward (the
// model's branch drops) and add nothing to evaluation: their last layer is
// zero, permanently when the branch ends in it, or held at zero until the
// block joins when an activation follows it.
class ProgressiveGrowing : public Method {
public:
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BeforeForward;
  }
  void apply(Event e, TrainState& s) override;
  // The held layers' values from before they were zeroed, for blocks that
  // have not joined yet.
  void saveState(MethodState& out) const override;
  void loadState(const MethodState& in) override;

private:
  void holdOrSilence(TrainState& s);
  void release(TrainState& s, int add);

  std::vector<LaterBlock> blocks_;
  std::set<int> waiting_;
  std::map<int, std::vector<torch::Tensor>> held_; // add -> its layer's values before
};

} // namespace fiver::runtime
