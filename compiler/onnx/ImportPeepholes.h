// Rewrites of imported ops into the kinds PyTorch computed them with, so an
// imported model trains with the same numbers: x * sigmoid(x) (how SiLU is
// exported) becomes `silu`. Internal to compiler/onnx; runs after the nodes
// are mapped.
#pragma once

#include "compiler/onnx/ImportedModel.h"

#include <vector>

namespace fiver::onnx_import {

// Replaces each mul(x, sigmoid(x)) whose sigmoid nothing else reads by
// silu(x), dropping the sigmoid; op indices are renumbered.
void fuseSilu(std::vector<ImportedOp>& ops);

} // namespace fiver::onnx_import
