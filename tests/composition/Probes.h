// The probes, one a method, each built from the compiled plan (which holds
// the method's resolved arguments).
#pragma once

#include "tests/composition/Probe.h"

namespace fiver::composition {

// Data (DataProbes.cpp)
std::unique_ptr<Probe> mixedTargetsProbe(const plan::Plan& p);
std::unique_ptr<Probe> zeroedPatchesProbe(const plan::Plan& p);
std::unique_ptr<Probe> shrunkImagesProbe(const plan::Plan& p);
std::unique_ptr<Probe> resizedInputProbe(const plan::Plan& p);
std::unique_ptr<Probe> keptFractionProbe(const plan::Plan& p);
std::unique_ptr<Probe> nhwcBatchesProbe(const plan::Plan& p);
// Augmentation policies: at least `minShare` of each batch's images changed.
std::unique_ptr<Probe> augmentedImagesProbe(double minShare);
// Loader (LoaderProbes.cpp)
std::unique_ptr<Probe> growingBatchProbe(const plan::Plan& p);
std::unique_ptr<Probe> shortSequencesProbe(const plan::Plan& p);
std::unique_ptr<Probe> repeatedExamplesProbe(const plan::Plan& p);
std::unique_ptr<Probe> echoedLoadsProbe(const plan::Plan& p);
std::unique_ptr<Probe> prunedDrawsProbe(const plan::Plan& p);
std::unique_ptr<Probe> easyStartProbe(const plan::Plan& p);
// Loss (LossProbes.cpp)
std::unique_ptr<Probe> smoothedLossProbe(const plan::Plan& p);
std::unique_ptr<Probe> binaryLossProbe(const plan::Plan& p);
// Gradients (GradientProbes.cpp)
std::unique_ptr<Probe> boundedNormProbe(const plan::Plan& p);
std::unique_ptr<Probe> centredGradientsProbe(const plan::Plan& p);
std::unique_ptr<Probe> samProbe(const plan::Plan& p);
std::unique_ptr<Probe> efficientSamProbe(const plan::Plan& p);
std::unique_ptr<Probe> signProbe(const plan::Plan& p);
std::unique_ptr<Probe> lowRankProbe(const plan::Plan& p);
// Model structure and optimizer (StructureProbes.cpp)
std::unique_ptr<Probe> blurProbe(const plan::Plan& p);
std::unique_ptr<Probe> gateProbe(const plan::Plan& p);
std::unique_ptr<Probe> lowPrecisionProbe(const plan::Plan& p);
std::unique_ptr<Probe> lowRankLayerProbe(const plan::Plan& p);
std::unique_ptr<Probe> branchDropProbe(const plan::Plan& p);
std::unique_ptr<Probe> lambProbe(const plan::Plan& p);
std::unique_ptr<Probe> larsProbe(const plan::Plan& p);
// Weights (WeightProbes.cpp)
std::unique_ptr<Probe> emaProbe(const plan::Plan& p);
std::unique_ptr<Probe> swaProbe(const plan::Plan& p);
std::unique_ptr<Probe> lookaheadProbe(const plan::Plan& p);
std::unique_ptr<Probe> pruningProbe(const plan::Plan& p);
std::unique_ptr<Probe> freezingProbe(const plan::Plan& p);
std::unique_ptr<Probe> kaimingProbe(const plan::Plan& p);
std::unique_ptr<Probe> orthogonalProbe(const plan::Plan& p);
std::unique_ptr<Probe> tiedProjectionProbe(const plan::Plan& p);
// Schedules and evaluation (ScheduleProbes.cpp)
std::unique_ptr<Probe> warmupProbe(const plan::Plan& p);
std::unique_ptr<Probe> cyclicProbe(const plan::Plan& p);
std::unique_ptr<Probe> foundRateProbe(const plan::Plan& p);
std::unique_ptr<Probe> flipProbe(const plan::Plan& p);

} // namespace fiver::composition
