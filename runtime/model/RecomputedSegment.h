// Activation checkpointing's autograd piece: a segment of the forward pass
// that keeps only its inputs. The forward pass runs it without recording
// anything for autograd; when the backward pass reaches its outputs, it runs
// the segment again, this time recording, and backpropagates through that
// recomputation. Memory for the segment's inner activations is then needed
// only while its own backward runs, for one more forward of the segment.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace fiver::runtime {

// Computes a segment's outputs from its inputs. Called once in the forward
// pass and once more in the backward pass, so it must be deterministic given
// its inputs, the parameters and the CPU generator (which is replayed).
using SegmentFunction =
    std::function<std::vector<torch::Tensor>(const std::vector<torch::Tensor>& inputs)>;

// Runs `segment` on `inputs` and returns its outputs, differentiable with
// respect to the inputs and `parameters` (those of the segment's ops that
// take gradients). `buffers` (batch-norm running statistics) are restored
// after the recomputation, so that they take one update per step, as
// without checkpointing. When nothing requires a gradient, it simply runs
// the segment.
std::vector<torch::Tensor> runRecomputed(SegmentFunction segment,
                                         const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& parameters,
                                         const std::vector<torch::Tensor>& buffers);

} // namespace fiver::runtime
