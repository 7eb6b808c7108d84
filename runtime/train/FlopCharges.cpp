#include "runtime/train/FlopCharges.h"

#include "runtime/train/Collectives.h"

namespace fiver::runtime {

PassSize passSizeOf(const torch::Tensor& batch) {
  PassSize p;
  if (!batch.defined() || batch.dim() == 0) return p;
  p.images = batch.size(0);
  if (batch.dim() == 4) {
    p.height = batch.size(2);
    p.width = batch.size(3);
  } else if (batch.dim() == 2) {
    p.height = batch.size(1);
  }
  return p;
}

void chargeFlops(TrainState& s, FlopKind kind, double flops) {
  if (!s.flops) return;
  const double ranks = s.collectives ? static_cast<double>(s.collectives->size()) : 1.0;
  s.flops->charge(kind, flops * ranks);
}

void chargeForward(TrainState& s, FlopKind kind, const torch::Tensor& batch, double repeats) {
  if (!s.flops) return;
  const PassSize p = passSizeOf(batch);
  chargeFlops(s, kind, repeats * s.flops->forwardFlops(p.images, p.height, p.width));
}

void chargeTrainingPass(TrainState& s, FlopKind kind, const torch::Tensor& batch) {
  if (!s.flops) return;
  const PassSize p = passSizeOf(batch);
  chargeFlops(s, kind, s.flops->trainingPassFlops(p.images, p.height, p.width));
}

void chargeElementwise(TrainState& s, FlopKind kind, const std::vector<torch::Tensor>& tensors,
                       double flopsPerElement) {
  double elements = 0;
  for (const torch::Tensor& t : tensors)
    if (t.defined() && t.is_floating_point()) elements += static_cast<double>(t.numel());
  chargeFlops(s, kind, elements * flopsPerElement);
}

} // namespace fiver::runtime
