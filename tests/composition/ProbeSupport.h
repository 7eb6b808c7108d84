// Small pieces several methods' probes share: copies and distances of
// tensors, the plan's resolution stages, the rate of a step.
#pragma once

#include "tests/composition/Probe.h"

#include <string>
#include <utility>
#include <vector>

namespace fiver::composition {

// "16x3x8x8".
std::string dims(const torch::Tensor& t);
// The size the plan's resolution stages give `step` (the task's without stages).
std::pair<int64_t, int64_t> stageSize(const plan::Plan& p, int64_t step);

// Detached copies.
std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& tensors);
// The largest entry-wise distance between the floating-point tensors of `a`
// and `b`, in fp64.
double largestDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);
// The weights of convolutions and (untied) linear layers, each as [out, fan_in].
std::vector<std::pair<std::string, torch::Tensor>> weightRows(runtime::PlanModel& model);

// The learning rate the optimizer's first group trains at.
double rateOf(const torch::optim::Optimizer& opt);
// Rates agree to 1e-6 (relative).
bool closeRate(double a, double b);

// A model of the first `opCount` ops of `live`, holding `live`'s parameters
// and buffers as they are now (matched by op name): its output is what op
// opCount - 1 computes. Probes compare an op's output with its input this way.
runtime::PlanModel modelPrefix(runtime::PlanModel& live, size_t opCount);
// What op `index` of `live` outputs for the model input `x`, in eval mode
// and in fp32.
torch::Tensor opOutput(runtime::PlanModel& live, size_t index, const torch::Tensor& x);
// The largest difference between `actual` and `expected`, relative to the
// largest entry of `expected`.
double relativeDifference(const torch::Tensor& actual, const torch::Tensor& expected);

// How many nodes of the autograd graph behind `t` have a name containing
// `part` (0 when `t` has no graph).
int autogradNodesNamed(const torch::Tensor& t, const std::string& part);

// Losses agree to 1e-4 (relative, absolute below 1), and how they differ.
bool closeLoss(double actual, double expected);
std::string lossComparison(double actual, double expected);

} // namespace fiver::composition
