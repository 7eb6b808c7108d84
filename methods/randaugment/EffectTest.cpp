// randaugment's effect: the composition matrix's probe and recipe line, and
// the method's own tests (milliseconds each): exactly `ops` ops per image,
// all at the one magnitude, drawn per image; magnitude 0 changes nothing but
// the magnitude-free ops. The op set itself is tested with trivialaugment
// (methods/trivialaugment/EffectTest.cpp), which shares it.
#include "methods/randaugment/Hook.h"
#include "runtime/data/AugmentOps.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

using runtime::AugmentOp;

const EffectRegistrar kEffect(MethodUnderTest{
    "randaugment",
    "retrofit training_data dynamic domain randaugment(ops: 2, magnitude: 9)",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return augmentedImagesProbe(0.6); }});

// --- the method's own tests ---

TEST(RandAugmentEffect, AppliesExactlyTheDrawnOpsInOrderAtOneMagnitude) {
  torch::manual_seed(8);
  const torch::Tensor pixels = torch::rand({32, 1, 8, 8});
  for (int64_t n : {1, 3}) {
    torch::Tensor ops, magnitudes;
    const torch::Tensor out = runtime::randAugment(pixels, n, 15, &ops, &magnitudes);
    ASSERT_EQ(ops.sizes(), (std::vector<int64_t>{32, n}));
    EXPECT_TRUE(torch::allclose(magnitudes.abs(), torch::full_like(magnitudes, 0.5)));
    // Replaying the drawn ops one round after another gives the same images.
    torch::Tensor replay = pixels;
    for (int64_t round = 0; round < n; ++round)
      replay = runtime::applyAugmentOps(replay, ops.select(1, round), magnitudes.select(1, round));
    EXPECT_TRUE(torch::allclose(out, replay, 1e-6, 1e-6)) << "ops " << n;
  }
}

TEST(RandAugmentEffect, EveryImageDrawsItsOwnOps) {
  torch::manual_seed(9);
  torch::Tensor ops;
  runtime::randAugment(torch::rand({64, 1, 8, 8}), 2, 9, &ops);
  for (int64_t round = 0; round < 2; ++round)
    EXPECT_GE(std::get<0>(at::_unique(ops.select(1, round))).numel(), 8);
  EXPECT_FALSE(torch::equal(ops.select(1, 0), ops.select(1, 1))); // rounds draw anew
}

TEST(RandAugmentEffect, MagnitudeZeroLeavesOnlyTheMagnitudeFreeOps) {
  torch::manual_seed(10);
  const torch::Tensor pixels = torch::rand({64, 3, 8, 8});
  torch::Tensor ops;
  const torch::Tensor out = runtime::randAugment(pixels, 1, 0, &ops);
  const torch::Tensor column = ops.select(1, 0);
  const torch::Tensor magnitudeFree =
      (column == static_cast<int64_t>(AugmentOp::AutoContrast))
          .logical_or(column == static_cast<int64_t>(AugmentOp::Equalize));
  const torch::Tensor kept = magnitudeFree.logical_not();
  EXPECT_TRUE(torch::allclose(out.index({kept}), pixels.index({kept}), 1e-5, 1e-5));
}

} // namespace
} // namespace fiver::composition
