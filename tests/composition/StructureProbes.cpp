// Probes of the methods that rewrite the model (passes): the model that
// trains holds what the pass put in, whatever the other method's pass did.
#include "tests/composition/Probes.h"

namespace fiver::composition {

namespace {

// The trained model has an op for which `has` holds.
class ModelHas : public Probe {
public:
  ModelHas(std::string what, std::function<bool(const plan::Op&)> has)
      : what_(std::move(what)), has_(std::move(has)) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::Init) return;
    bool found = false;
    for (const plan::Op& op : s.model->ops())
      found = found || has_(op);
    expect(found, "the model that trains has no " + what_);
  }

private:
  std::string what_;
  std::function<bool(const plan::Op&)> has_;
};

} // namespace

std::unique_ptr<Probe> blurProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("blur op",
                                    [](const plan::Op& op) { return op.kind == "blur"; });
}
std::unique_ptr<Probe> gateProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>(
      "squeeze-excite gate", [](const plan::Op& op) { return op.kind == "squeeze_excite"; });
}
std::unique_ptr<Probe> lowPrecisionProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("op computing in 16 bits",
                                    [](const plan::Op& op) { return op.dtype != "fp32"; });
}

} // namespace fiver::composition
