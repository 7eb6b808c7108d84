// A probe states one method's own effect once, so that the composition
// matrix can check it in a run with any other method present. It watches the
// run (RunObserver) and records what it found wrong; `finish` runs after
// fit() for what is only visible at the end.
#pragma once

#include "runtime/train/RunObserver.h"
#include "runtime/train/Trainer.h"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace fiver::composition {

using runtime::Event;
using runtime::TrainState;

class Probe : public runtime::RunObserver {
public:
  virtual void finish(runtime::Trainer& /*trainer*/) {}
  const std::vector<std::string>& failures() const { return failures_; }
  // A probe that never saw its effect act proves nothing: each one says
  // how often it checked, and the matrix requires at least once.
  int64_t checks() const { return checks_; }

protected:
  // Records `what` when `ok` is false; counts the check either way.
  void expect(bool ok, const std::string& what);
  // Records only the first few failures: one broken step repeats.
  std::vector<std::string> failures_;
  int64_t checks_ = 0;
};

// A resolved argument of `method` in the compiled plan; like the runtime,
// probes have no defaults of their own (throws naming the method and key).
double methodArgument(const plan::Plan& p, const std::string& method, const std::string& key);

enum class InputKind { Image, Text };

// One standard-library method as the matrix uses it.
struct MethodUnderTest {
  std::string name;
  // The recipe line, with arguments small enough to act within the matrix's
  // few steps on its tiny task.
  std::string line;
  std::set<InputKind> fits;
  // Null: the method has no probe yet, and the matrix says so.
  std::function<std::unique_ptr<Probe>(const plan::Plan&)> probe;
  // Methods that by design transform what this probe observes (method ->
  // why); pairs with them do not run this probe, and the matrix counts them.
  std::map<std::string, std::string> reshapedBy = {};
};

// Every stdlib method, by name. Each method folder's EffectTest.cpp adds its
// own with an EffectRegistrar.
const std::vector<MethodUnderTest>& methodsUnderTest();
struct EffectRegistrar {
  explicit EffectRegistrar(MethodUnderTest method);
};
// The one called `name` (throws when absent).
const MethodUnderTest& methodUnderTest(const std::string& name);

} // namespace fiver::composition
