// The runtime hook of patch_whitening: pure functions (usable and testable
// alone) plus the Method that calls them before the first step.
#pragma once

#include "runtime/train/Method.h"

#include <string>

namespace fiver::runtime {

// --- patch_whitening: the first convolution becomes a fixed whitening ---
// Eigen-decomposition of the covariance of the k x k patches of `images`
// ([N, C, H, W]): eigenvalues in descending order ([C·k²]) and the matching
// eigenvectors as rows ([C·k², C·k²]).
std::pair<torch::Tensor, torch::Tensor> patchCovarianceEigen(const torch::Tensor& images,
                                                             int64_t kernel);
// The whitening filters for a convolution of `out` channels: each eigenvector
// scaled by 1 / sqrt(eigenvalue + eps), largest eigenvalue first, then the
// same filters negated (so that a ReLU further on keeps both signs of each
// direction); cycled when `out` exceeds twice their number. [out, C·k²].
torch::Tensor whiteningFilters(const torch::Tensor& eigenvalues, const torch::Tensor& eigenvectors,
                               int64_t out, double eps);
// The name of the model's first convolution (empty when it has none).
std::string firstConvolution(const PlanModel& model);
// Sets the first convolution's weight to the whitening filters of the first
// `samples` training images and freezes it (it never trains). Returns its op
// index, or -1 when the model has no convolution.
int whitenFirstConvolution(PlanModel& model, const torch::Tensor& trainImages, int64_t samples,
                           double eps);

class PatchWhitening : public Method {
public:
  PatchWhitening(int64_t samples, double eps) : samples_(samples), eps_(eps) {}
  // FIT_START: after every initializer (INIT), before the first step, and
  // counted as training time.
  bool match(Event e, const TrainState&) const override { return e == Event::FitStart; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t samples_;
  double eps_;
};

} // namespace fiver::runtime
