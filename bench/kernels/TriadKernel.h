// The STREAM triad a[i] = b[i] + s * c[i] over [begin, end), built in its own
// translation unit with -O3 -march=native and restrict pointers so that it
// vectorizes to the host's full width: the bandwidth ceiling the fused
// kernels are measured against.
#pragma once

#include <cstdint>

void triadRange(float* a, const float* b, const float* c, float s, int64_t begin, int64_t end);
