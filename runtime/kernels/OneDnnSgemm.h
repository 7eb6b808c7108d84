// oneDNN's fp32 GEMM, dnnl_sgemm (dnnl.h), found in the process at run time:
// LibTorch links libdnnl for its convolutions, so no header or link flag is
// needed, and a LibTorch without it keeps LibTorch's own products. Used by
// the linear layers (DenseLinear.h) and batched products
// (DenseBatchedProduct.h).
#pragma once

#include <cstdint>

namespace fiver::runtime {

// C = alpha op(A) op(B) + beta C, every matrix row-major, 'N' or 'T' for op;
// returns 0 (dnnl_success) or an error status.
using Sgemm = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc);

// dnnl_sgemm, or null when the process has none or FIVER_DENSE_LINEAR=0 is
// set in the environment (for comparisons with LibTorch's products).
Sgemm oneDnnSgemm();

// Calls it, throwing with the product's sizes on an error status.
void callSgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, const float* a,
               int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

} // namespace fiver::runtime
