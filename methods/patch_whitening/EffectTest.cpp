// patch_whitening's effect: the composition matrix's probe and recipe line,
// and the method's own tests of the whitening filters.
#include "methods/patch_whitening/Hook.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::composition {
namespace {

// Covariance of the first convolution's outputs on `images`, from the
// patch covariance: W C Wᵀ over the weight's rows.
torch::Tensor outputCovariance(const torch::Tensor& weight, const torch::Tensor& images) {
  const auto [values, vectors] = runtime::patchCovarianceEigen(images, weight.size(2));
  const torch::Tensor c = vectors.t().mm(torch::diag(values)).mm(vectors);
  const torch::Tensor w = weight.detach().reshape({weight.size(0), -1}).to(torch::kFloat64);
  return w.mm(c).mm(w.t());
}

// Before the first step the first convolution's channels are decorrelated
// (their output covariance on the training images is diagonal, at most 1),
// and from then on that weight never changes and gets no gradient.
class WhitenedStem : public Probe {
public:
  explicit WhitenedStem(int64_t samples) : samples_(samples) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::FitStart && s.trainImages) checkWhitened(s);
    if (e == Event::BatchEnd && start_.defined()) {
      const torch::Tensor& w = stem(s);
      expect(torch::equal(w, start_),
             "the whitened convolution trained at step " + std::to_string(s.step));
      expect(!w.requires_grad() && !w.grad().defined(), "the whitened convolution has a gradient");
    }
  }

private:
  const torch::Tensor& stem(const TrainState& s) {
    weight_ = s.model->parametersOf(runtime::firstConvolution(s.model)).at(0);
    return weight_;
  }
  void checkWhitened(const TrainState& s) {
    const torch::Tensor& w = stem(s);
    start_ = w.detach().clone();
    const torch::Tensor images =
        s.trainImages->narrow(0, 0, std::min(samples_, s.trainImages->size(0)));
    const int64_t directions = std::min(w.size(0), w[0].numel());
    const torch::Tensor cov =
        outputCovariance(w, images).narrow(0, 0, directions).narrow(1, 0, directions);
    const torch::Tensor diagonal = cov.diagonal();
    const double off = (cov - torch::diag(diagonal)).abs().max().item<double>();
    expect(off < 1e-3, "the first convolution's channels correlate (" + std::to_string(off) + ")");
    expect(diagonal.max().item<double>() <= 1 + 1e-3 && diagonal[0].item<double>() > 0.5,
           "the first convolution's channels do not have unit variance");
  }
  int64_t samples_;
  torch::Tensor start_, weight_;
};

std::unique_ptr<Probe> whitenedStemProbe(const plan::Plan& p) {
  return std::make_unique<WhitenedStem>(
      std::llround(methodArgument(p, "patch_whitening", "samples")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "patch_whitening",
    "restrict training_data static domain patch_whitening(samples: 200)",
    {InputKind::Image},
    whitenedStemProbe});

// --- the method's own tests ---

// Images whose neighbouring pixels correlate strongly (smoothed noise).
torch::Tensor smoothImages() {
  torch::manual_seed(2);
  const torch::Tensor noise = torch::randn({64, 1, 14, 14});
  return torch::avg_pool2d(noise, 3, 1, 1);
}

TEST(PatchWhiteningEffect, FiltersAreScaledEigenvectorsThenTheirNegatives) {
  const auto [values, vectors] = runtime::patchCovarianceEigen(smoothImages(), 3);
  ASSERT_EQ(values.size(0), 9);
  EXPECT_TRUE((values.narrow(0, 0, 8) >= values.narrow(0, 1, 8)).all().item<bool>());
  const torch::Tensor filters = runtime::whiteningFilters(values, vectors, 16, 0);
  ASSERT_EQ(filters.size(0), 16);
  EXPECT_TRUE(torch::allclose(filters[0], vectors[0] / values[0].sqrt()));
  EXPECT_TRUE(torch::allclose(filters.narrow(0, 9, 7), -filters.narrow(0, 0, 7)));
  // Wider than twice the directions: the set repeats.
  EXPECT_TRUE(torch::equal(runtime::whiteningFilters(values, vectors, 20, 0)[18], filters[0]));
}

TEST(PatchWhiteningEffect, WhitenedChannelsAreDecorrelatedWithUnitVariance) {
  const torch::Tensor images = smoothImages();
  const auto [values, vectors] = runtime::patchCovarianceEigen(images, 3);
  const torch::Tensor filters = runtime::whiteningFilters(values, vectors, 9, 0);
  const torch::Tensor cov = outputCovariance(filters.view({9, 1, 3, 3}), images);
  EXPECT_TRUE(torch::allclose(cov, torch::eye(9, torch::kFloat64), 1e-6, 1e-6));
  // The covariance of the outputs computed directly agrees.
  const torch::Tensor out = torch::conv2d(images.to(torch::kFloat64), filters.view({9, 1, 3, 3}))
                                .transpose(0, 1)
                                .reshape({9, -1});
  const torch::Tensor centred = out - out.mean(1, true);
  const torch::Tensor direct = centred.mm(centred.t()) / static_cast<double>(out.size(1));
  EXPECT_TRUE(torch::allclose(direct, torch::eye(9, torch::kFloat64), 1e-6, 1e-6));
}

} // namespace
} // namespace fiver::composition
