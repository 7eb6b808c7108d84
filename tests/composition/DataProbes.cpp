// The data probes several methods share: what the network is fed after
// every data method has acted.
#include "tests/composition/ProbeSupport.h"
#include "tests/composition/Probes.h"

namespace fiver::composition {

namespace {

// Mixed targets: one distribution per example, some of them over two classes.
class MixedTargets : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    expect(s.targets.defined(), "no soft targets reach the loss");
    if (!s.targets.defined()) return;
    expect(s.targets.size(0) == s.images.size(0),
           "targets for " + dims(s.targets) + " but images " + dims(s.images));
    expect(s.targets.sum(1).sub(1).abs().max().item<double>() < 1e-5,
           "target rows do not sum to 1");
    mixedRows_ += std::get<0>(s.targets.max(1)).lt(1 - 1e-6).sum().item<int64_t>();
  }
  void finish(runtime::Trainer&) override {
    expect(mixedRows_ > 0, "no target ever mixed two classes");
  }

private:
  int64_t mixedRows_ = 0;
};

// Each batch reaches the model no larger than loaded, with at least
// `minShare` of its images changed (augmentation policies).
class AugmentedImages : public Probe {
public:
  explicit AugmentedImages(double minShare) : minShare_(minShare) {}

  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterData) loaded_ = s.images.detach().clone();
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    // Other methods may drop rows, columns or images; none makes images larger.
    expect(s.images.size(2) <= loaded_.size(2) && s.images.size(3) <= loaded_.size(3),
           "the augmented batch is larger than the loaded one");
    if (s.images.sizes() != loaded_.sizes()) return; // another method changed the batch
    const torch::Tensor changed =
        (s.images.to(torch::kFloat32) - loaded_.to(torch::kFloat32)).abs().flatten(1).amax(1) >
        1e-4;
    const double share = changed.to(torch::kFloat64).mean().item<double>();
    expect(share >= minShare_, "only " + std::to_string(share) + " of the images were augmented");
  }

private:
  double minShare_;
  torch::Tensor loaded_;
};

} // namespace

std::unique_ptr<Probe> mixedTargetsProbe(const plan::Plan&) {
  return std::make_unique<MixedTargets>();
}
std::unique_ptr<Probe> augmentedImagesProbe(double minShare) {
  return std::make_unique<AugmentedImages>(minShare);
}

} // namespace fiver::composition
