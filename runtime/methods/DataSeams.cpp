#include "runtime/methods/DataSeams.h"
#include "runtime/data/BatchLoader.h"

#include <stdexcept>

namespace fiver::runtime {

BatchLoader& loaderOf(TrainState& s, const char* method) {
  if (!s.loader)
    throw std::runtime_error(std::string("method '") + method +
                             "' changes what is loaded, but this run has no batch loader");
  return *s.loader;
}

} // namespace fiver::runtime
