#include "tests/composition/Probe.h"

#include "runtime/methods/HookRegistry.h"

#include <stdexcept>

namespace fiver::composition {

void Probe::expect(bool ok, const std::string& what) {
  ++checks_;
  if (!ok && failures_.size() < 3) failures_.push_back(what);
}

double methodArgument(const plan::Plan& p, const std::string& method, const std::string& key) {
  const plan::Method* m = p.findMethod(method);
  if (!m) throw std::out_of_range("the plan has no method '" + method + "'");
  return runtime::MethodArgs(*m, p).number(key);
}

} // namespace fiver::composition
