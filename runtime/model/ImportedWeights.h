// The initial weights of a model imported from ONNX: each op's `init_*`
// attributes name the initializers of the plan's model source, which are
// copied into its parameters and batch-norm statistics. The file must be the
// one the plan was compiled from (its content hash is checked).
#pragma once

#include "compiler/plan/Plan.h"

namespace torch::nn {
class Module;
} // namespace torch::nn

namespace fiver::runtime {

// Does nothing for models declared in .5r or imported with `weights: random`.
// Throws std::runtime_error when the file cannot be read, changed since the
// plan was compiled, or holds an initializer that does not fit its op.
// `model` is the plan's PlanModel: each op's module is its child of the op's name.
void loadImportedWeights(torch::nn::Module& model, const plan::Plan& plan);

} // namespace fiver::runtime
