// Runtime hooks register themselves: each method folder's Hook.cpp holds one
// HookRegistrar that maps the hook name plans carry to a factory. A factory
// reads the method's arguments through MethodArgs, which has no defaults:
// plans carry every parameter resolved from the stdlib declaration, so a
// missing one is a bug in the plan, reported with the method and the key.
#pragma once

#include "runtime/train/Method.h"

#include <functional>
#include <memory>
#include <string>

namespace fiver::runtime {

class MethodArgs {
public:
  MethodArgs(const plan::Method& method, const plan::Plan& plan) : method_(method), plan_(plan) {}

  double number(const std::string& key) const;
  int64_t integer(const std::string& key) const; // rounded to the nearest
  bool flag(const std::string& key) const;
  std::string name(const std::string& key) const;
  // A percent of the budget as the nearest step.
  int64_t budgetStep(const std::string& key) const;
  // A percent of the budget (a step number when above 1) as a step, rounded down.
  int64_t stepOrFraction(const std::string& key) const;

  const plan::Method& method() const { return method_; }
  const plan::Plan& plan() const { return plan_; }

private:
  const plan::Scalar& required(const std::string& key) const;

  const plan::Method& method_;
  const plan::Plan& plan_;
};

using HookFactory = std::function<std::unique_ptr<Method>(const MethodArgs&)>;

struct HookRegistrar {
  HookRegistrar(const std::string& hook, HookFactory factory);
};

} // namespace fiver::runtime
