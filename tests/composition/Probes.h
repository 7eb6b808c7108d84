// The probes several methods share; a probe of one method alone lives in
// that method's folder (methods/<name>/EffectTest.cpp).
#pragma once

#include "tests/composition/Probe.h"

namespace fiver::composition {

// Data (DataProbes.cpp)
// Mixed targets (mixup, cutmix): one distribution per example, some of them
// over two classes.
std::unique_ptr<Probe> mixedTargetsProbe(const plan::Plan& p);
// Augmentation policies: at least `minShare` of each batch's images changed.
std::unique_ptr<Probe> augmentedImagesProbe(double minShare);
// Gradients (GradientProbes.cpp)
// SAM and efficient_sam: a second gradient every `every` steps, and the
// optimizer steps from the unperturbed weights.
std::unique_ptr<Probe> secondGradientProbe(int64_t every);

} // namespace fiver::composition
