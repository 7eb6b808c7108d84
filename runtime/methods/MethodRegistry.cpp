// The registry of runtime hooks: each method folder's Hook.cpp registers its
// own (runtime/methods/HookRegistry.h).
#include "runtime/methods/HookRegistry.h"

#include <cmath>
#include <functional>
#include <stdexcept>

namespace fiver::runtime {

namespace {

std::map<std::string, HookFactory>& registry() {
  static std::map<std::string, HookFactory> hooks;
  return hooks;
}

} // namespace

HookRegistrar::HookRegistrar(const std::string& hook, HookFactory factory) {
  if (!registry().emplace(hook, std::move(factory)).second)
    throw std::logic_error("the runtime hook '" + hook + "' is registered twice");
}

const plan::Scalar& MethodArgs::required(const std::string& key) const {
  auto it = method_.params.find(key);
  if (it == method_.params.end())
    throw std::runtime_error("method '" + method_.name + "': the plan has no argument '" + key +
                             "' (plans carry every parameter resolved from the stdlib "
                             "declaration; recompile the recipe)");
  return it->second;
}

double MethodArgs::number(const std::string& key) const {
  const plan::Scalar& v = required(key);
  if (v.isString)
    throw std::runtime_error("method '" + method_.name + "': the argument '" + key + "' is '" +
                             v.text + "', not a number");
  return v.number;
}

int64_t MethodArgs::integer(const std::string& key) const {
  return std::llround(number(key));
}

bool MethodArgs::flag(const std::string& key) const {
  return number(key) != 0;
}

std::string MethodArgs::name(const std::string& key) const {
  const plan::Scalar& v = required(key);
  if (!v.isString)
    throw std::runtime_error("method '" + method_.name + "': the argument '" + key +
                             "' is a number, not a name");
  return v.text;
}

int64_t MethodArgs::budgetStep(const std::string& key) const {
  return std::llround(number(key) * static_cast<double>(plan_.training.totalSteps));
}

int64_t MethodArgs::stepOrFraction(const std::string& key) const {
  const double v = number(key);
  return static_cast<int64_t>(v > 1 ? v : v * static_cast<double>(plan_.training.totalSteps));
}

std::vector<std::string> knownHooks() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry())
    names.push_back(name);
  return names;
}

std::unique_ptr<Method> createMethod(const std::string& hook, const plan::Method& m,
                                     const plan::Plan& p) {
  auto it = registry().find(hook);
  if (it == registry().end()) {
    std::string known;
    for (const std::string& n : knownHooks())
      known += (known.empty() ? "" : ", ") + n;
    throw std::runtime_error("method '" + m.name + "' needs the runtime hook '" + hook +
                             "', which this runtime does not have (it has: " + known + ")");
  }
  return it->second(MethodArgs(m, p));
}

} // namespace fiver::runtime
