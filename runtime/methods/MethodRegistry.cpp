// Maps the hook names that plans carry to runtime methods.
#include "runtime/methods/Methods.h"

#include "runtime/distributed/GradientCompression.h"

#include <functional>
#include <stdexcept>

namespace fiver::runtime {

namespace {
using Factory = std::function<std::unique_ptr<Method>(const plan::Method&, const plan::Plan&)>;

// A method's `start` parameter: a fraction of the budget (a step when above 1).
int64_t startStep(const plan::Method& m, const plan::Plan& p) {
  const double start = plan::getNumber(m.params, "start", 0);
  return static_cast<int64_t>(start > 1 ? start
                                        : start * static_cast<double>(p.training.totalSteps));
}

const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> table = {
      {"progressive_resize",
       [](const plan::Method&, const plan::Plan&) {
         return std::make_unique<ProgressiveResize>();
       }},
      {"label_smoothing",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<LabelSmoothing>(plan::getNumber(m.params, "smoothing", 0.1));
       }},
      {"ema",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Ema>(plan::getNumber(m.params, "half_life", 100));
       }},
      {"layer_freezing",
       [](const plan::Method&, const plan::Plan&) { return std::make_unique<LayerFreezing>(); }},
      {"mixup",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Mixup>(plan::getNumber(m.params, "alpha", 0.2));
       }},
      {"cutmix",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<CutMix>(plan::getNumber(m.params, "alpha", 1.0));
       }},
      {"stochastic_depth",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<StochasticDepth>(plan::getNumber(m.params, "drop", 0.1));
       }},
      {"swa",
       [](const plan::Method& m, const plan::Plan& p) {
         // `start` is a fraction of the budget (a step number when above 1).
         const double start = plan::getNumber(m.params, "start", 0.75);
         const double steps = static_cast<double>(p.training.totalSteps);
         return std::make_unique<Swa>(static_cast<int64_t>(start > 1 ? start : start * steps));
       }},
      {"channels_last",
       [](const plan::Method&, const plan::Plan&) { return std::make_unique<ChannelsLast>(); }},
      {"powersgd",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<distributed::PowerSgd>(
             static_cast<int64_t>(plan::getNumber(m.params, "rank", 2)), startStep(m, p));
       }},
      {"sign_compression",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<distributed::SignCompression>(startStep(m, p));
       }},
  };
  return table;
}
} // namespace

std::vector<std::string> knownHooks() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry())
    names.push_back(name);
  return names;
}

std::unique_ptr<Method> createMethod(const std::string& hook, const plan::Method& m,
                                     const plan::Plan& p) {
  auto it = registry().find(hook);
  if (it == registry().end()) {
    std::string known;
    for (const std::string& n : knownHooks())
      known += (known.empty() ? "" : ", ") + n;
    throw std::runtime_error("method '" + m.name + "' needs the runtime hook '" + hook +
                             "', which this runtime does not have (it has: " + known + ")");
  }
  return it->second(m, p);
}

} // namespace fiver::runtime
