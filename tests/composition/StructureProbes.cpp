// Probes of the methods that rewrite the model (passes) or replace the
// optimizer: the run trains what they put in, whatever the other method did.
#include "tests/composition/Probes.h"

#include "runtime/optim/Lamb.h"
#include "runtime/optim/Lars.h"

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

// LAMB and LARS: every step is taken by the replacing optimizer, whatever
// wraps or reshapes the step around it.
template <class Replacing> class SteppedBy : public Probe {
public:
  explicit SteppedBy(std::string name) : name_(std::move(name)) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeOptimizerStep) return;
    expect(dynamic_cast<const Replacing*>(&s.optimizer) != nullptr,
           "step " + std::to_string(s.step) + " is not taken by " + name_);
  }

private:
  std::string name_;
};

} // namespace

std::unique_ptr<Probe> lambProbe(const plan::Plan&) {
  return std::make_unique<SteppedBy<runtime::Lamb>>("lamb");
}
std::unique_ptr<Probe> larsProbe(const plan::Plan&) {
  return std::make_unique<SteppedBy<runtime::Lars>>("lars");
}
std::unique_ptr<Probe> blurProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("blur op",
                                    [](const plan::Op& op) { return op.kind == "blur"; });
}
std::unique_ptr<Probe> gateProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("squeeze-excite gate",
                                    [](const plan::Op& op) { return op.kind == "squeeze_excite"; });
}
std::unique_ptr<Probe> lowRankLayerProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("low-rank factor", [](const plan::Op& op) {
    return op.name.size() > 4 && op.name.ends_with("_low");
  });
}
std::unique_ptr<Probe> branchDropProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("residual branch with a drop rate", [](const plan::Op& op) {
    return op.kind == "add" && plan::getNumber(op.attrs, "drop", 0) > 0;
  });
}
std::unique_ptr<Probe> lowPrecisionProbe(const plan::Plan&) {
  return std::make_unique<ModelHas>("op computing in 16 bits",
                                    [](const plan::Op& op) { return op.dtype != "fp32"; });
}

} // namespace fiver::composition
