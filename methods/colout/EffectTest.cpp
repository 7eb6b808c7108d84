// colout's effect as the composition matrix checks it: the recipe line
// (arguments that act within its few steps), the inputs it fits, its probe.
#include "tests/composition/ProbeSupport.h"

#include <algorithm>
#include <cmath>

namespace fiver::composition {
namespace {

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

std::unique_ptr<Probe> shrunkImagesProbe(const plan::Plan& p) {
  const plan::Method* m = p.findMethod("colout");
  return std::make_unique<ShrunkImages>(p, methodArgument(p, m->name, "p_row"),
                                        methodArgument(p, m->name, "p_col"));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "colout",
    "remove training_data dynamic domain colout(p_row: 0.25, p_col: 0.25)",
    {InputKind::Image},
    shrunkImagesProbe});
} // namespace
} // namespace fiver::composition
