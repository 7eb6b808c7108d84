// trivialaugment's effect: the composition matrix's probe and recipe line,
// and the tests of the op set it shares with randaugment
// (runtime/data/AugmentOps.h), milliseconds each: each op does what it says
// on a small known image, magnitude 0 changes nothing, and every image of a
// batch gets its own op.
#include "methods/trivialaugment/Hook.h"
#include "runtime/data/AugmentOps.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

using runtime::AugmentOp;

const EffectRegistrar kEffect(MethodUnderTest{
    "trivialaugment",
    "retrofit training_data dynamic domain trivialaugment",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return augmentedImagesProbe(0.4); }});

// --- the op set's tests and the method's own ---

// A B x 1 x 8 x 8 image whose value is the column index / 8.
torch::Tensor columnRamp(int64_t batch) {
  return (torch::arange(8, torch::kFloat32) / 8)
      .view({1, 1, 1, 8})
      .expand({batch, 1, 8, 8})
      .contiguous();
}

torch::Tensor opsOf(AugmentOp op, int64_t batch) {
  return torch::full({batch}, static_cast<int64_t>(op), torch::kInt64);
}

TEST(AugmentOpsEffect, RotatingARampByNinetyDegreesTurnsColumnsIntoRows) {
  const torch::Tensor out = runtime::rotateImages(columnRamp(2), torch::tensor({90.0f, 0.0f}));
  const torch::Tensor rows =
      ((7 - torch::arange(8, torch::kFloat32)) / 8).view({8, 1}).expand({8, 8});
  EXPECT_TRUE(torch::allclose(out[0][0], rows, 1e-5, 1e-5)) << out[0][0];
  EXPECT_TRUE(torch::allclose(out[1], columnRamp(1)[0], 1e-5, 1e-5)); // each image its own angle
}

TEST(AugmentOpsEffect, TranslatingMovesTheContentAndFillsBlack) {
  // A quarter of 8 columns is 2 pixels: column j shows column j - 2.
  const torch::Tensor out =
      runtime::translateImages(columnRamp(1), torch::tensor({0.25f}), torch::tensor({0.0f}));
  const torch::Tensor j = torch::arange(8, torch::kFloat32);
  const torch::Tensor expected = torch::where(j >= 2, (j - 2) / 8, torch::zeros_like(j));
  EXPECT_TRUE(torch::allclose(out[0][0][5], expected, 1e-5, 1e-5)) << out[0][0][5];
}

TEST(AugmentOpsEffect, SolarizeInvertsOnlyPixelsAboveTheThreshold) {
  const torch::Tensor out = runtime::solarizeImages(columnRamp(1), torch::tensor({0.5f}));
  const torch::Tensor j = torch::arange(8, torch::kFloat32) / 8;
  EXPECT_TRUE(torch::allclose(out[0][0][0], torch::where(j > 0.5, 1 - j, j)));
}

TEST(AugmentOpsEffect, AutoContrastAndEqualizeStretchToTheFullRange) {
  const torch::Tensor narrow = columnRamp(2) * 0.5 + 0.2;
  for (AugmentOp op : {AugmentOp::AutoContrast, AugmentOp::Equalize}) {
    const torch::Tensor out = runtime::applyAugmentOps(narrow, opsOf(op, 2), torch::zeros({2}));
    EXPECT_NEAR(out.min().item<float>(), 0.0f, 1e-5);
    EXPECT_NEAR(out.max().item<float>(), 1.0f, 1e-5);
    // Both keep the order of the levels.
    EXPECT_TRUE((out[0][0][0].diff() >= 0).all().item<bool>());
  }
}

TEST(AugmentOpsEffect, PosterizeAtFullMagnitudeKeepsFourBits) {
  torch::manual_seed(4);
  const torch::Tensor out = runtime::applyAugmentOps(
      torch::rand({2, 1, 8, 8}), opsOf(AugmentOp::Posterize, 2), torch::tensor({1.0f, -1.0f}));
  const torch::Tensor levels = out * 255 / 16;
  EXPECT_TRUE(torch::allclose(levels, levels.round(), 1e-4, 1e-4));
}

TEST(AugmentOpsEffect, MagnitudeZeroChangesNothing) {
  torch::manual_seed(5);
  const torch::Tensor pixels = torch::rand({3, 3, 8, 8});
  for (int64_t k = 0; k < runtime::kAugmentOpCount; ++k) {
    const auto op = static_cast<AugmentOp>(k);
    if (op == AugmentOp::AutoContrast || op == AugmentOp::Equalize) continue; // no magnitude
    const torch::Tensor out = runtime::applyAugmentOps(pixels, opsOf(op, 3), torch::zeros({3}));
    EXPECT_TRUE(torch::allclose(out, pixels, 1e-5, 1e-5)) << "op " << k;
  }
}

TEST(AugmentOpsEffect, FullMagnitudeChangesEveryOpsImages) {
  torch::manual_seed(6);
  const torch::Tensor pixels = torch::rand({2, 3, 8, 8});
  for (int64_t k = 1; k < runtime::kAugmentOpCount; ++k) {
    const torch::Tensor out =
        runtime::applyAugmentOps(pixels, opsOf(static_cast<AugmentOp>(k), 2), torch::ones({2}));
    EXPECT_GT((out - pixels).abs().max().item<float>(), 1e-3) << "op " << k;
    EXPECT_GE(out.min().item<float>(), 0.0f);
    EXPECT_LE(out.max().item<float>(), 1.0f);
  }
}

TEST(TrivialAugmentEffect, EveryImageGetsItsOwnDrawnOp) {
  torch::manual_seed(7);
  const torch::Tensor pixels = torch::rand({64, 1, 8, 8});
  torch::Tensor ops;
  const torch::Tensor out = runtime::trivialAugment(pixels, &ops);
  EXPECT_EQ(out.sizes(), pixels.sizes());
  EXPECT_GE(std::get<0>(at::_unique(ops)).numel(), 8); // many ops in one batch
  // Identity images come through untouched; translated ones have a black edge.
  const torch::Tensor identity = ops == static_cast<int64_t>(AugmentOp::Identity);
  ASSERT_GT(identity.sum().item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(out.index({identity}), pixels.index({identity})));
  const torch::Tensor moved = ops != static_cast<int64_t>(AugmentOp::Identity);
  EXPECT_GT(
      ((out - pixels).abs().flatten(1).amax(1) > 1e-4).logical_and(moved).sum().item<int64_t>(),
      40);
}

} // namespace
} // namespace fiver::composition
