// Every stdlib method with the recipe line the matrix uses and its probe.
// The lines' arguments make each schedule act within the matrix's three
// steps (start at 0%, a frequency of one step, a cycle of two).
#include "tests/composition/Probes.h"

#include <algorithm>
#include <stdexcept>

namespace fiver::composition {

namespace {

const std::set<InputKind> kImages = {InputKind::Image};
const std::set<InputKind> kText = {InputKind::Text};
const std::set<InputKind> kBoth = {InputKind::Image, InputKind::Text};
// The methods not yet in a folder of their own.
const std::vector<MethodUnderTest>& legacyMethods() {
  static const std::vector<MethodUnderTest> all = {
      {"progressive_resize",
       "reorder training_data dynamic domain progressive_resize(from: 0.5, until: 100%)", kImages,
       resizedInputProbe},
      {"label_smoothing", "replace training_objective static domain label_smoothing(0.2)", kBoth,
       smoothedLossProbe},
      
      {"swa", "retrofit model_parameters dynamic domain swa(start: 0%)", kBoth, swaProbe},
      {"layer_freezing",
       "reorder model_parameters dynamic domain layer_freezing(start: 0%, end: 34%)", kBoth,
       freezingProbe},
      {"channels_last", "reorder derived_data static domain channels_last", kImages,
       nhwcBatchesProbe},
      {"mixup", "retrofit training_data dynamic domain mixup(alpha: 1.0)", kImages,
       mixedTargetsProbe},
      {"cutmix", "retrofit training_data dynamic domain cutmix(alpha: 1.0)", kImages,
       mixedTargetsProbe},
      {"stochastic_depth", "remove architecture dynamic domain stochastic_depth(drop: 0.5)",
       kImages, branchDropProbe},
      {"gradual_magnitude_pruning",
       "remove model_parameters dynamic domain gradual_magnitude_pruning(final_sparsity: 50%, "
       "start: 0%, end: 34%, frequency: 1 steps)",
       kBoth, pruningProbe},
      {"factorize",
       "restrict model_parameters static domain factorize(rank: 0.5, min_channels: 4, "
       "min_features: 4, "
       "min_saving: 0%)",
       kBoth, lowRankLayerProbe},
      {"mixed_precision", "restrict model_parameters static domain mixed_precision", kBoth,
       lowPrecisionProbe},
      {"squeeze_excite",
       "retrofit architecture static domain squeeze_excite(reduction: 2, min_channels: 4)", kImages,
       gateProbe},
      {"blurpool", "replace architecture static domain blurpool", kImages, blurProbe},
      {"weight_tying", "restrict architecture static domain weight_tying", kText,
       tiedProjectionProbe},
      {"colout", "remove training_data dynamic domain colout(p_row: 0.25, p_col: 0.25)", kImages,
       shrunkImagesProbe},
      {"cutout",
       "remove training_data dynamic domain cutout(holes: 1, length: 0.5)",
       kImages,
       zeroedPatchesProbe,
       {{"mixup", "mixup blends every pixel, the patch included, with a partner image (the order "
                  "timm uses too: erase, then mix)"}}},
      {"flip_tta", "retrofit training_data static domain flip_tta", kImages, flipProbe},
      {"data_pruning",
       "remove training_data static learned data_pruning(keep: 50%, score_at: 1 steps, "
       "score_seeds: 1)",
       kBoth, prunedDrawsProbe},
      {"curriculum",
       "reorder training_data dynamic learned curriculum(start: 10%, until: 100%, score_at: 1 "
       "steps)",
       kBoth, easyStartProbe},
      {"augmentation_multiplicity",
       "retrofit training_data static domain augmentation_multiplicity(copies: 2)",
       kImages,
       repeatedExamplesProbe,
       {{"data_echoing", "example echoing reshuffles the echoed examples across batches, so the "
                         "copies no longer share one (batch echoing keeps them)"}}},
      {"data_echoing", "retrofit training_data static domain data_echoing(factor: 2)", kBoth,
       echoedLoadsProbe},
      {"selective_backprop",
       "remove derived_data dynamic domain selective_backprop(keep: 50%, start: 0%, end: 100%, "
       "interrupt: 0)",
       kBoth, keptFractionProbe},
      {"gradient_clipping", "restrict derived_data static domain gradient_clipping(max_norm: 0.01)",
       kBoth, boundedNormProbe},
      {"gradient_centralization", "restrict derived_data static domain gradient_centralization",
       kBoth, centredGradientsProbe},
      {"powersgd", "restrict derived_data static domain powersgd(rank: 1)", kBoth, lowRankProbe},
      {"sign_compression", "restrict derived_data static domain sign_compression", kBoth,
       signProbe},
      {"bce_for_mixup", "replace training_objective static domain bce_for_mixup(smoothing: 0.1)",
       kImages, binaryLossProbe},
      {"sam", "retrofit training_objective static domain sam(rho: 0.5)", kBoth, samProbe},
      {"efficient_sam", "remove training_objective dynamic domain efficient_sam(rho: 0.5, k: 2)",
       kBoth, efficientSamProbe},
      {"lookahead", "retrofit training_algorithm static domain lookahead(k: 2, alpha: 0.5)", kBoth,
       lookaheadProbe},
      {"lamb", "replace training_algorithm dynamic domain lamb", kBoth, lambProbe},
      {"lars", "replace training_algorithm dynamic domain lars", kImages, larsProbe},
      {"cyclic_lr",
       "reorder training_algorithm dynamic domain cyclic_lr(div_factor: 10, cycle: 2 steps)", kBoth,
       cyclicProbe},
      {"warmup", "reorder training_algorithm dynamic domain warmup(length: 50%, from: 0.1)", kBoth,
       warmupProbe},
      {"lr_range_test", "replace training_algorithm static learned lr_range_test(length: 10 steps)",
       kBoth, foundRateProbe},
      {"batch_size_warmup",
       "restrict training_algorithm dynamic domain batch_size_warmup(from: 0.5, until: 67%, "
       "multiple: 4, scale_lr: false)",
       kBoth, growingBatchProbe},
      {"seq_length_warmup",
       "reorder training_data dynamic domain seq_length_warmup(from: 0.5, until: 67%, multiple: 4)",
       kText, shortSequencesProbe},
      {"orthogonal_init", "restrict training_algorithm static domain orthogonal_init", kBoth,
       orthogonalProbe},
      {"kaiming_init", "restrict training_algorithm static domain kaiming_init", kBoth,
       kaimingProbe},
  };
  return all;
}

std::vector<MethodUnderTest>& registered() {
  static std::vector<MethodUnderTest> methods = [] {
    std::vector<MethodUnderTest> seeded = legacyMethods();
    std::sort(seeded.begin(), seeded.end(),
              [](const MethodUnderTest& a, const MethodUnderTest& b) { return a.name < b.name; });
    return seeded;
  }();
  return methods;
}

} // namespace

const std::vector<MethodUnderTest>& methodsUnderTest() {
  return registered();
}

EffectRegistrar::EffectRegistrar(MethodUnderTest method) {
  std::vector<MethodUnderTest>& all = registered();
  auto at = std::lower_bound(
      all.begin(), all.end(), method.name,
      [](const MethodUnderTest& m, const std::string& name) { return m.name < name; });
  all.insert(at, std::move(method));
}

const MethodUnderTest& methodUnderTest(const std::string& name) {
  for (const MethodUnderTest& m : methodsUnderTest())
    if (m.name == name) return m;
  throw std::out_of_range("no method under test called " + name);
}

} // namespace fiver::composition
