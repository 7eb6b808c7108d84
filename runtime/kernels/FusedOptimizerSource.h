// CUDA source for one multi-tensor optimizer step over every parameter:
// a single launch walks the concatenation of all tensors (a prefix table of
// their sizes maps a flat index to tensor and offset), so small tensors do
// not each pay a launch. SGD (momentum, nesterov, weight decay) and AdamW
// (decoupled weight decay, bias correction from host-side scalars).
#pragma once

#include "runtime/kernels/CudaSource.h"

namespace fiver::kernels {

enum class FusedOptimizerKind { Sgd, AdamW };

// SGD kernel: (float** params, float** grads, float** momentum, const long long* starts,
//   int count, float lr, float momentum, float weightDecay, int nesterov)
// AdamW kernel: (float** params, float** grads, float** m, float** v,
//   const long long* starts, int count, float lr, float beta1, float beta2, float eps,
//   float weightDecay, float biasCorrection1, float biasCorrection2)
CudaKernelSource generateFusedOptimizer(FusedOptimizerKind kind);

} // namespace fiver::kernels
