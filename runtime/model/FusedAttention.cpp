#include "runtime/model/FusedAttention.h"

#include "runtime/TorchCompat.h"

#include <cstdlib>
#include <cstring>

namespace fiver::runtime {

bool fusedAttentionApplies(const torch::Tensor& q) {
  if (!torchcompat::kHasScaledDotProductAttention || !q.is_cuda()) return false;
  const char* setting = std::getenv("FIVER_FUSED_ATTENTION");
  return !setting || std::strcmp(setting, "0") != 0;
}

torch::Tensor fusedCausalAttention(const torch::Tensor& q, const torch::Tensor& k,
                                   const torch::Tensor& v, int64_t batch,
                                   const torch::Tensor& additiveMask) {
  const int64_t heads = q.size(0) / batch, length = q.size(1), headDim = q.size(2);
  auto split = [&](const torch::Tensor& t) { return t.view({batch, heads, length, headDim}); };
  torch::Tensor mask = additiveMask;
  if (mask.defined()) mask = mask.to(q.scalar_type()).unsqueeze(0); // [1, H, T, T]
  return torchcompat::scaledDotProductAttention(split(q), split(k), split(v), mask)
      .reshape({batch * heads, length, headDim});
}

} // namespace fiver::runtime
