// Probes of the methods that change the batch: what the network is fed
// after every data method has acted.
#include "tests/composition/Probes.h"

#include <cmath>

namespace fiver::composition {

namespace {

std::string dims(const torch::Tensor& t) {
  std::string out;
  for (int64_t d : t.sizes())
    out += (out.empty() ? "" : "x") + std::to_string(d);
  return out;
}

// The size the plan's resolution stages give `step` (the task's without stages).
std::pair<int64_t, int64_t> stageSize(const plan::Plan& p, int64_t step) {
  std::pair<int64_t, int64_t> size{p.task.inputShape[1], p.task.inputShape[2]};
  for (const plan::ResolutionStage& s : p.resolution)
    if (s.startStep <= step) size = {s.height, s.width};
  return size;
}

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

// Colout: fewer rows and columns than the size the batch had to have.
class ShrunkImages : public Probe {
public:
  ShrunkImages(const plan::Plan& p, double pRow, double pCol)
      : plan_(p), pRow_(pRow), pCol_(pCol) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    auto [h, w] = stageSize(plan_, s.step);
    const auto rows = std::max<int64_t>(1, std::llround((1 - pRow_) * static_cast<double>(h)));
    const auto cols = std::max<int64_t>(1, std::llround((1 - pCol_) * static_cast<double>(w)));
    expect(s.images.size(2) <= rows && s.images.size(3) <= cols,
           "step " + std::to_string(s.step) + " trains on " + dims(s.images) +
               ", expected at most " + std::to_string(rows) + "x" + std::to_string(cols) + " of " +
               std::to_string(h) + "x" + std::to_string(w));
  }

private:
  const plan::Plan& plan_;
  double pRow_, pCol_;
};

// Progressive resizing: never larger than the step's stage, and smaller than
// the task's images early on.
class ResizedInput : public Probe {
public:
  explicit ResizedInput(const plan::Plan& p) : plan_(p) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    auto [h, w] = stageSize(plan_, s.step);
    expect(s.images.size(2) <= h && s.images.size(3) <= w,
           "step " + std::to_string(s.step) + " trains on " + dims(s.images) + ", its stage is " +
               std::to_string(h) + "x" + std::to_string(w));
    if (s.step == 0)
      expect(s.images.size(2) < plan_.task.inputShape[1], "the first step trains at full size");
  }

private:
  const plan::Plan& plan_;
};

// Selective backprop: the batch that reaches backward holds the kept share
// of the batch the data methods were given.
class KeptFraction : public Probe {
public:
  explicit KeptFraction(double keep) : keep_(keep) {}
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::AfterData) loaded_ = s.labels.size(0);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    const auto kept = static_cast<int64_t>(std::ceil(keep_ * static_cast<double>(loaded_)));
    expect(s.labels.size(0) == kept && s.images.size(0) == kept,
           "kept " + std::to_string(s.images.size(0)) + " of " + std::to_string(loaded_) +
               " examples, expected " + std::to_string(kept));
  }

private:
  double keep_;
  int64_t loaded_ = 0;
};

// Channels last: the batch enters the network in NHWC.
class NhwcBatches : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::AfterData) return;
    expect(s.images.is_contiguous(torch::MemoryFormat::ChannelsLast) && !s.images.is_contiguous(),
           "step " + std::to_string(s.step) + " feeds a " + dims(s.images) +
               " batch that is not channels-last");
  }
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
std::unique_ptr<Probe> zeroedPatchesProbe(const plan::Plan&) {
  return std::make_unique<ZeroedPatches>();
}
std::unique_ptr<Probe> shrunkImagesProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("colout");
  return std::make_unique<ShrunkImages>(p, methodArgument(p, m->name, "p_row"),
                                        methodArgument(p, m->name, "p_col"));
}
std::unique_ptr<Probe> resizedInputProbe(const plan::Plan& p) {
  return std::make_unique<ResizedInput>(p);
}
std::unique_ptr<Probe> keptFractionProbe(const plan::Plan& p) {
  return std::make_unique<KeptFraction>(methodArgument(p, "selective_backprop", "keep"));
}
std::unique_ptr<Probe> nhwcBatchesProbe(const plan::Plan&) {
  return std::make_unique<NhwcBatches>();
}
std::unique_ptr<Probe> augmentedImagesProbe(double minShare) {
  return std::make_unique<AugmentedImages>(minShare);
}

} // namespace fiver::composition
