#include "runtime/BlasThreads.h"

#include <dlfcn.h>

namespace fiver::runtime {

void setBlasThreads(int threads) {
  // Looked up, not linked: LibTorch brings OpenBLAS in, or does not.
  using SetThreads = void (*)(int);
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set && threads > 0) set(threads);
}

} // namespace fiver::runtime
