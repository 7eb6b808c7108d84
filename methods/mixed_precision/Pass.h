// mixed_precision: autocast regions in bf16 or fp16.
//
// Requires: a mixed_precision method (dtype: bf16 or fp16).
// Changes: the dtype of every op that computes in 16 bits: convolutions,
// linear layers, pooling, activations, adds, blur and gates. Batch norms stay
// fp32 (their statistics lose too much in 16 bits), and so does the input;
// the runtime casts the model's output to fp32 for the loss. Master weights
// and optimizer state stay fp32: dtype is how an op computes, not how its
// parameters are stored.
#pragma once

#include "passes/Pass.h"

namespace fiver::passes {

class MixedPrecisionPass : public Pass {
public:
  std::string_view name() const override { return "mixed_precision"; }
  std::string_view enabledBy() const override { return "mixed_precision"; }
  std::vector<std::string_view> runsAfter() const override {
    return {"factorize", "blurpool", "squeeze_excite", "lora", "channels_last"};
  }
  bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) override;
};

} // namespace fiver::passes
