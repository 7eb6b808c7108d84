#include "tests/composition/Probe.h"

namespace fiver::composition {

void Probe::expect(bool ok, const std::string& what) {
  ++checks_;
  if (!ok && failures_.size() < 3) failures_.push_back(what);
}

} // namespace fiver::composition
