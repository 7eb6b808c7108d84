// Maps the hook names that plans carry to runtime methods.
#include "runtime/methods/Methods.h"

#include "runtime/methods/AlgorithmMethods.h"
#include "runtime/methods/DataMethods.h"
#include "runtime/methods/OptimizerMethods.h"

#include "runtime/distributed/GradientCompression.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/TrainingOptimizer.h"

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

// A percent parameter (a fraction of the budget) as a step.
int64_t fractionStep(const plan::Method& m, const plan::Plan& p, const char* key, double dflt) {
  return std::llround(plan::getNumber(m.params, key, dflt) *
                      static_cast<double>(p.training.totalSteps));
}

int64_t integer(const plan::Method& m, const char* key, double dflt) {
  return std::llround(plan::getNumber(m.params, key, dflt));
}

bool flag(const plan::Method& m, const char* key, bool dflt) {
  return plan::getNumber(m.params, key, dflt ? 1 : 0) != 0;
}

const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> table = {
      {"progressive_resize",
       [](const plan::Method&, const plan::Plan&) {
         return std::make_unique<ProgressiveResize>();
       }},
      {"seq_length_warmup",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<SeqLengthWarmup>(
             p, plan::getNumber(m.params, "from", 0.125), plan::getNumber(m.params, "until", 0.3),
             integer(m, "multiple", 8), flag(m, "truncate", true));
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
      {"colout",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Colout>(plan::getNumber(m.params, "p_row", 0.15),
                                         plan::getNumber(m.params, "p_col", 0.15),
                                         flag(m, "batch", true));
       }},
      {"flip_tta",
       [](const plan::Method&, const plan::Plan&) { return std::make_unique<FlipTta>(); }},
      {"cutout",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Cutout>(integer(m, "holes", 1),
                                         plan::getNumber(m.params, "length", 0.5));
       }},
      {"data_pruning",
       [](const plan::Method& m, const plan::Plan&) {
         ExampleScoring scoring{plan::getString(m.params, "score", "el2n"),
                                integer(m, "score_at", 0), integer(m, "score_seeds", 4)};
         return std::make_unique<DataPruning>(plan::getNumber(m.params, "keep", 0.7), scoring,
                                              flag(m, "keep_hardest", true));
       }},
      {"curriculum",
       [](const plan::Method& m, const plan::Plan&) {
         ExampleScoring scoring{plan::getString(m.params, "score", "loss"),
                                integer(m, "score_at", 0), 1};
         return std::make_unique<Curriculum>(plan::getString(m.params, "pacing", "linear"),
                                             plan::getNumber(m.params, "start", 0.2),
                                             plan::getNumber(m.params, "until", 0.5), scoring);
       }},
      {"augmentation_multiplicity",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<AugmentationMultiplicity>(integer(m, "copies", 4),
                                                           flag(m, "keep_batch_size", true));
       }},
      {"data_echoing",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<DataEchoing>(integer(m, "factor", 2),
                                              plan::getString(m.params, "stage", "example"));
       }},
      {"selective_backprop",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<SelectiveBackprop>(
             plan::getNumber(m.params, "keep", 0.5), fractionStep(m, p, "start", 0.5),
             fractionStep(m, p, "end", 0.9), integer(m, "interrupt", 2));
       }},
      {"bce_for_mixup",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<BceForMixup>(plan::getNumber(m.params, "smoothing", 0),
                                              plan::getNumber(m.params, "threshold", 0));
       }},
      {"batch_size_warmup",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<BatchSizeWarmup>(
             plan::getNumber(m.params, "from", 0.125), fractionStep(m, p, "until", 0.2),
             integer(m, "multiple", 8), flag(m, "scale_lr", true));
       }},
      {"gradient_clipping",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<GradientClipping>(plan::getString(m.params, "mode", "norm"),
                                                   plan::getNumber(m.params, "max_norm", 1.0),
                                                   plan::getNumber(m.params, "clip_ratio", 0.01));
       }},
      {"gradient_centralization",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<GradientCentralization>(flag(m, "include_linear", true));
       }},
      {"lookahead",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Lookahead>(integer(m, "k", 5),
                                            plan::getNumber(m.params, "alpha", 0.5));
       }},
      {"lamb",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<ReplacedOptimizer>(m, makeLambOptimizer);
       }},
      {"lars",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<ReplacedOptimizer>(m, makeLarsOptimizer);
       }},
      {"lr_range_test",
       [](const plan::Method& m, const plan::Plan&) {
         // `length` arrives in steps (durations are lowered to steps).
         return std::make_unique<LrRangeTest>(integer(m, "length", 100),
                                              plan::getNumber(m.params, "min_lr", 1e-6),
                                              plan::getNumber(m.params, "max_lr", 10),
                                              plan::getString(m.params, "pick", "steepest"));
       }},
      {"warmup",
       [](const plan::Method& m, const plan::Plan& p) {
         // `length` arrives in steps (durations are lowered to steps).
         return std::make_unique<Warmup>(
             integer(m, "length", 0.05 * static_cast<double>(p.training.totalSteps)),
             plan::getNumber(m.params, "from", 0), plan::getString(m.params, "shape", "linear"));
       }},
      {"cyclic_lr",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<CyclicLr>(
             peakLearningRate(p.optimizer), plan::getNumber(m.params, "div_factor", 10),
             integer(m, "cycle", 4.0 * static_cast<double>(p.training.stepsPerEpoch)),
             plan::getString(m.params, "mode", "triangular"));
       }},
      {"kaiming_init",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<KaimingInit>(plan::getString(m.params, "mode", "fan_in"),
                                              plan::getString(m.params, "distribution", "normal"),
                                              flag(m, "zero_init_residual", true));
       }},
      {"orthogonal_init",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<OrthogonalInit>(plan::getNumber(m.params, "gain", 1.0));
       }},
      {"sam",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<Sam>(plan::getNumber(m.params, "rho", 0.05),
                                      flag(m, "adaptive", false));
       }},
      {"efficient_sam",
       [](const plan::Method& m, const plan::Plan&) {
         return std::make_unique<EfficientSam>(plan::getNumber(m.params, "rho", 0.05),
                                               integer(m, "k", 5),
                                               plan::getNumber(m.params, "alpha", 0.7));
       }},
      {"gradual_magnitude_pruning",
       [](const plan::Method& m, const plan::Plan& p) {
         return std::make_unique<GradualMagnitudePruning>(
             plan::getNumber(m.params, "final_sparsity", 0.8), fractionStep(m, p, "start", 0.1),
             fractionStep(m, p, "end", 0.6), integer(m, "frequency", 100));
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
