#include "passes/PassRegistry.h"

#include <map>
#include <set>
#include <stdexcept>

namespace fiver::passes {

namespace {

std::map<std::string, PassFactory>& factories() {
  static std::map<std::string, PassFactory> byName;
  return byName;
}

// Kahn's algorithm over runsAfter(), taking the first ready pass by name.
// A constraint naming an unregistered pass is ignored (it is not in any
// pipeline); a cycle is a bug in the passes.
std::vector<std::string> pipelineOrder() {
  std::map<std::string, std::set<std::string>> waitsFor;
  for (const auto& [name, factory] : factories()) {
    std::set<std::string>& before = waitsFor[name];
    for (std::string_view b : factory()->runsAfter())
      if (factories().count(std::string(b))) before.insert(std::string(b));
  }
  std::vector<std::string> order;
  while (!waitsFor.empty()) {
    auto ready = waitsFor.begin();
    while (ready != waitsFor.end() && !ready->second.empty())
      ++ready;
    if (ready == waitsFor.end())
      throw std::logic_error("the passes' runsAfter() constraints form a cycle");
    const std::string next = ready->first;
    waitsFor.erase(ready);
    for (auto& [name, before] : waitsFor)
      before.erase(next);
    order.push_back(next);
  }
  return order;
}

} // namespace

PassRegistrar::PassRegistrar(PassFactory factory) {
  const std::string name(factory()->name());
  if (!factories().emplace(name, std::move(factory)).second)
    throw std::logic_error("the pass '" + name + "' is registered twice");
}

std::vector<std::string> registeredPasses() {
  static const std::vector<std::string> order = pipelineOrder();
  return order;
}

std::unique_ptr<Pass> createPass(const std::string& name) {
  auto it = factories().find(name);
  return it == factories().end() ? nullptr : it->second();
}

} // namespace fiver::passes
