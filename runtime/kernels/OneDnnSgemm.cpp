#include "runtime/kernels/OneDnnSgemm.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <stdexcept>
#include <string>

namespace fiver::runtime {

Sgemm oneDnnSgemm() {
  static const Sgemm found = [] {
    const char* setting = std::getenv("FIVER_DENSE_LINEAR");
    if (setting && std::strcmp(setting, "0") == 0) return Sgemm{nullptr};
    return reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
  }();
  return found;
}

void callSgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, const float* a,
               int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const int status = oneDnnSgemm()(transa, transb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  if (status != 0)
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status) + " on a " +
                             std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) +
                             " product");
}

} // namespace fiver::runtime
