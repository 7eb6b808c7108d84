// random_resized_crop's effect: the composition matrix's probe and recipe
// line, and the method's own tests (milliseconds each): boxes inside the
// image with the declared area and aspect ranges, the whole-image box is the
// identity, and a box's content is that rectangle stretched to full size.
#include "methods/random_resized_crop/Hook.h"
#include "tests/composition/Probe.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

// Each batch reaches the model cropped and resized: no larger than loaded,
// and (almost) every image changed.
class CroppedImages : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterData) loaded_ = s.images.detach().clone();
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const bool sameSize = s.images.sizes() == loaded_.sizes();
    expect(s.images.size(2) <= loaded_.size(2) && s.images.size(3) <= loaded_.size(3),
           "the cropped batch is larger than the loaded one");
    if (!sameSize) return;
    const torch::Tensor changed =
        (s.images.to(torch::kFloat32) - loaded_.to(torch::kFloat32)).abs().flatten(1).amax(1) >
        1e-4;
    const double share = changed.to(torch::kFloat64).mean().item<double>();
    expect(share >= 0.9, "only " + std::to_string(share) + " of the images were cropped");
  }

private:
  torch::Tensor loaded_;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "random_resized_crop",
    "retrofit training_data dynamic domain random_resized_crop(scale: 0.3)",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> { return std::make_unique<CroppedImages>(); }});

// --- the method's own tests ---

TEST(RandomResizedCropEffect, BoxesLieInsideTheImageWithTheDeclaredAreaAndAspect) {
  torch::manual_seed(1);
  const torch::Tensor square = runtime::randomCropBoxes(4000, 0.3, 1.0);
  const torch::Tensor area = square.select(1, 2) * square.select(1, 3);
  EXPECT_GE(area.min().item<float>(), 0.3f - 1e-5f);
  EXPECT_LE(area.max().item<float>(), 1.0f + 1e-5f);
  EXPECT_LT(area.min().item<float>(), 0.32f); // the whole range is drawn
  EXPECT_GT(area.max().item<float>(), 0.98f);
  const torch::Tensor boxes = runtime::randomCropBoxes(4000, 0.3, 4.0 / 3);
  const torch::Tensor top = boxes.select(1, 0), left = boxes.select(1, 1);
  const torch::Tensor height = boxes.select(1, 2), width = boxes.select(1, 3);
  EXPECT_GE(top.min().item<float>(), 0.0f);
  EXPECT_GE(left.min().item<float>(), 0.0f);
  EXPECT_LE((top + height).max().item<float>(), 1.0f + 1e-5f);
  EXPECT_LE((left + width).max().item<float>(), 1.0f + 1e-5f);
  // Where no side was cut to the image, the aspect ratio is within [3/4, 4/3].
  const torch::Tensor uncut = (height < 1).logical_and(width < 1);
  const torch::Tensor aspect = (width / height).masked_select(uncut);
  EXPECT_GE(aspect.min().item<float>(), 0.75f - 1e-4f);
  EXPECT_LE(aspect.max().item<float>(), 4.0f / 3 + 1e-4f);
  EXPECT_GT(aspect.numel(), 2000);
}

TEST(RandomResizedCropEffect, TheWholeImageBoxChangesNothing) {
  torch::manual_seed(2);
  const torch::Tensor images = torch::randn({3, 2, 8, 8});
  const torch::Tensor whole = torch::tensor({0.0f, 0.0f, 1.0f, 1.0f}).repeat({3, 1});
  EXPECT_TRUE(torch::allclose(runtime::resizedCrops(images, whole), images, 1e-5, 1e-5));
}

TEST(RandomResizedCropEffect, ABoxIsStretchedToTheFullImage) {
  // A ramp image (value = column index): the box from column 4 spanning a
  // quarter of the width maps output column j to input column
  // 4 + 0.25 (j + 0.5) - 0.5, each image with its own box.
  const torch::Tensor ramp =
      torch::arange(8, torch::kFloat32).view({1, 1, 1, 8}).expand({2, 1, 8, 8});
  const torch::Tensor boxes = torch::tensor({{0.25f, 0.5f, 0.5f, 0.25f}, {0.0f, 0.0f, 1.0f, 1.0f}});
  const torch::Tensor out = runtime::resizedCrops(ramp.contiguous(), boxes);
  const torch::Tensor j = torch::arange(8, torch::kFloat32);
  EXPECT_TRUE(torch::allclose(out[0][0][3], 4 + 0.25 * (j + 0.5) - 0.5, 1e-5, 1e-5))
      << out[0][0][3];
  EXPECT_TRUE(torch::allclose(out[1][0][3], j, 1e-5, 1e-5));
  EXPECT_EQ(out.sizes(), ramp.sizes());
}

TEST(RandomResizedCropEffect, EveryImageIsCroppedInItsOwnLayout) {
  torch::manual_seed(3);
  const torch::Tensor images =
      torch::randn({16, 3, 28, 28}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor out =
      runtime::resizedCrops(images, runtime::randomCropBoxes(16, 0.3, 4.0 / 3));
  EXPECT_EQ(out.sizes(), images.sizes());
  EXPECT_EQ(out.suggest_memory_format(), torch::MemoryFormat::ChannelsLast);
  EXPECT_TRUE(((out - images).abs().flatten(1).amax(1) > 1e-3).all().item<bool>());
}

} // namespace
} // namespace fiver::composition
