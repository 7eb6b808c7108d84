// blurpool's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "compiler/plan/OpKinds.h"
#include "tests/composition/ProbeSupport.h"

namespace fiver::composition {
namespace {

// The binomial low-pass filter [1 2 1]^T [1 2 1] / 16 over each channel
// (zero padding of one pixel), then every `stride`-th row and column:
// written as sums of shifted images, apart from the runtime's convolution.
torch::Tensor blurredThenStrided(const torch::Tensor& x, int64_t stride) {
  const int64_t h = x.size(2), w = x.size(3);
  const torch::Tensor padded = torch::constant_pad_nd(x, {1, 1, 1, 1}, 0);
  const torch::Tensor rows =
      (padded.narrow(2, 0, h) + 2 * padded.narrow(2, 1, h) + padded.narrow(2, 2, h)) / 4;
  const torch::Tensor both =
      (rows.narrow(3, 0, w) + 2 * rows.narrow(3, 1, w) + rows.narrow(3, 2, w)) / 4;
  return both.slice(2, 0, h, stride).slice(3, 0, w, stride);
}

// BlurPool: each blur op the pass put in front of (or after) a strided
// layer outputs its input blurred and then subsampled by its stride, on the
// batch the last step trained on and with the weights evaluation uses.
class BlurredThenStrided : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward) input_ = s.images.detach().clone();
    if (e != Event::EvalStart || !input_.defined()) return;
    const std::vector<plan::Op>& ops = s.model->ops();
    int blurs = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!plan::isKind(ops[i].kind, plan::OpKind::Blur)) continue;
      ++blurs;
      const auto stride = static_cast<int64_t>(plan::getNumber(ops[i].attrs, "stride", 1));
      const torch::Tensor in = opOutput(s.model, ops[i].inputs.at(0), input_);
      const double tolerance = ops[i].dtype == "fp32" ? 1e-5 : 2e-2;
      const double off =
          relativeDifference(opOutput(s.model, i, input_), blurredThenStrided(in, stride));
      expect(off < tolerance, ops[i].name + " is " + std::to_string(off) +
                                  " (relative) away from its input blurred with stride " +
                                  std::to_string(stride));
    }
    expect(blurs > 0, "the model that trains has no blur op");
  }

private:
  torch::Tensor input_;
};

const EffectRegistrar kEffect(MethodUnderTest{"blurpool",
                                              "replace architecture static domain blurpool",
                                              {InputKind::Image},
                                              [](const plan::Plan&) -> std::unique_ptr<Probe> {
                                                return std::make_unique<BlurredThenStrided>();
                                              }});

} // namespace
} // namespace fiver::composition
