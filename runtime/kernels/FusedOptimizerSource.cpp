#include "runtime/kernels/FusedOptimizerSource.h"

namespace fiver::kernels {

namespace {

// Maps flat index i to (tensor k, offset j) by binary search over starts[].
const char* kLocate = R"(
__device__ __forceinline__ int fv_locate(const long long* starts, int count, long long i) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (starts[mid] <= i) lo = mid; else hi = mid - 1;
  }
  return lo;
}
)";

const char* kSgd = R"(
extern "C" __global__ void fiver_fused_sgd(float** params, float** grads, float** bufs,
    const long long* starts, int count, float lr, float momentum, float weight_decay, int nesterov) {
  long long total = starts[count];
  long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += stride) {
    int k = fv_locate(starts, count, i);
    long long j = i - starts[k];
    float p = params[k][j];
    float d = grads[k][j] + weight_decay * p;
    if (momentum != 0.0f) {
      float b = momentum * bufs[k][j] + d;
      bufs[k][j] = b;
      d = nesterov ? d + momentum * b : b;
    }
    params[k][j] = p - lr * d;
  }
}
)";

const char* kAdamW = R"(
extern "C" __global__ void fiver_fused_adamw(float** params, float** grads, float** ms, float** vs,
    const long long* starts, int count, float lr, float beta1, float beta2, float eps,
    float weight_decay, float bias_correction1, float bias_correction2, float one_minus_beta1,
    float one_minus_beta2) {
  long long total = starts[count];
  long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += stride) {
    int k = fv_locate(starts, count, i);
    long long j = i - starts[k];
    float g = grads[k][j];
    float p = params[k][j] * (1.0f - lr * weight_decay);
    float m = beta1 * ms[k][j] + one_minus_beta1 * g;
    float v = beta2 * vs[k][j] + one_minus_beta2 * g * g;
    ms[k][j] = m;
    vs[k][j] = v;
    float denom = sqrtf(v / bias_correction2) + eps;
    params[k][j] = p - lr * (m / bias_correction1) / denom;
  }
}
)";

} // namespace

CudaKernelSource generateFusedOptimizer(FusedOptimizerKind kind) {
  CudaKernelSource k;
  if (kind == FusedOptimizerKind::Sgd) {
    k.name = "fiver_fused_sgd";
    k.source = std::string(kLocate) + kSgd;
  } else {
    k.name = "fiver_fused_adamw";
    k.source = std::string(kLocate) + kAdamW;
  }
  return k;
}

} // namespace fiver::kernels
