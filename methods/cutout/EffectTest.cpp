// cutout's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/Probe.h"

namespace fiver::composition {
namespace {

// Cutout: most images hold a patch of exactly zero pixels.
class ZeroedPatches : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    torch::Tensor zeroPixel = s.images.eq(0).all(1).flatten(1).any(1);
    const double share = zeroPixel.to(torch::kFloat64).mean().item<double>();
    expect(share >= 0.5, "only " + std::to_string(share) + " of the images have a zeroed patch");
  }
};

std::unique_ptr<Probe> zeroedPatchesProbe(const plan::Plan&) {
  return std::make_unique<ZeroedPatches>();
}

const EffectRegistrar kEffect(MethodUnderTest{
    "cutout",
    "remove training_data dynamic domain cutout(holes: 1, length: 0.5)",
    {InputKind::Image},
    zeroedPatchesProbe,
    {{"mixup", "mixup blends every pixel, the patch included, with a partner image (the order "
               "timm uses too: erase, then mix)"}}});
} // namespace
} // namespace fiver::composition
