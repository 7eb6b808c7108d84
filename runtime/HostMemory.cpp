#include "runtime/HostMemory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <climits>

namespace fiver::runtime {

void keepFreedHostMemory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);             // no mmap per large block: it faults in afresh each time
  mallopt(M_TRIM_THRESHOLD, INT_MAX); // never hand freed heap back to the system
#endif
}

} // namespace fiver::runtime
