#include "TriadKernel.h"

void triadRange(float* __restrict a, const float* __restrict b, const float* __restrict c, float s,
                int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    a[i] = b[i] + s * c[i];
}
