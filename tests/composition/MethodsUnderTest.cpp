// The methods under test, as each folder's EffectTest.cpp registers them
// (kept sorted by name, whatever order their registrars run in).
#include "tests/composition/Probe.h"

#include <algorithm>
#include <stdexcept>

namespace fiver::composition {

namespace {

std::vector<MethodUnderTest>& registered() {
  static std::vector<MethodUnderTest> methods;
  return methods;
}

} // namespace

const std::vector<MethodUnderTest>& methodsUnderTest() {
  return registered();
}

EffectRegistrar::EffectRegistrar(MethodUnderTest method) {
  std::vector<MethodUnderTest>& all = registered();
  auto at = std::lower_bound(
      all.begin(), all.end(), method.name,
      [](const MethodUnderTest& m, const std::string& name) { return m.name < name; });
  all.insert(at, std::move(method));
}

const MethodUnderTest& methodUnderTest(const std::string& name) {
  for (const MethodUnderTest& m : methodsUnderTest())
    if (m.name == name) return m;
  throw std::out_of_range("no method under test called " + name);
}

} // namespace fiver::composition
