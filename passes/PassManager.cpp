#include "passes/PassManager.h"

#include "compiler/ir/GraphPrinter.h"
#include "compiler/ir/Verifier.h"
#include "passes/PassRegistry.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>

namespace fiver::passes {

bool PassManager::buildPipelineFor(const CheckedRecipe& recipe, DiagnosticEngine& diags,
                                   const std::vector<std::string>& requested) {
  std::set<std::string> wanted(requested.begin(), requested.end());
  std::vector<std::string> known = registeredPasses();
  for (const MethodUse& m : recipe.methods) {
    for (const std::string& p : m.passes) {
      if (std::find(known.begin(), known.end(), p) == known.end()) {
        diags.report(DiagId::UnknownPass, m.where,
                     "method '" + m.name + "' lowers to the pass '" + p +
                         "', which does not exist");
        continue;
      }
      wanted.insert(p);
    }
  }
  for (const std::string& name : known)
    if (wanted.count(name)) add(createPass(name));
  return !diags.hasErrors();
}

std::vector<std::string> PassManager::orderViolations() const {
  std::vector<std::string> problems;
  for (size_t i = 0; i < passes_.size(); ++i)
    for (std::string_view before : passes_[i]->runsAfter())
      for (size_t j = i + 1; j < passes_.size(); ++j)
        if (passes_[j]->name() == before)
          problems.push_back(std::string(passes_[i]->name()) + " must run after " +
                             std::string(before));
  return problems;
}

void PassManager::printPipeline(std::ostream& os) const {
  for (const auto& p : passes_)
    os << p->name() << "\n";
}

namespace {

bool timingRequested() {
  const char* timing = std::getenv("FIVER_TIME_PASSES");
  return timing && *timing && std::string_view(timing) != "0";
}

// Verifier failures are compiler bugs, not user errors: they go to stderr.
bool verified(const ir::TrainingGraph& graph, std::string_view after) {
  std::vector<std::string> problems = ir::verifyGraph(graph);
  if (problems.empty()) return true;
  std::cerr << "5rc: internal error: the graph is broken after " << after << ":\n";
  for (const std::string& p : problems)
    std::cerr << "  " << p << "\n";
  return false;
}

} // namespace

void PassManager::explainMissingDumps(const PipelineOptions& options) const {
  if (!options.dumpStream) return;
  const std::vector<std::string> known = registeredPasses();
  for (const std::string& d : options.dumpAfter) {
    bool inPipeline =
        std::any_of(passes_.begin(), passes_.end(), [&](const auto& p) { return p->name() == d; });
    if (d == "all" || inPipeline) continue;
    bool registered = std::find(known.begin(), known.end(), d) != known.end();
    *options.dumpStream << "; " << d
                        << (registered ? " is not in this recipe's pipeline" : " is not a pass")
                        << "\n";
  }
}

bool PassManager::run(ir::TrainingGraph& graph, const PipelineOptions& options,
                      DiagnosticEngine& diags) {
  if (std::vector<std::string> problems = orderViolations(); !problems.empty()) {
    std::cerr << "5rc: internal error: the pass registry breaks an order constraint:\n";
    for (const std::string& p : problems)
      std::cerr << "  " << p << "\n";
    return false;
  }
  explainMissingDumps(options);
  auto wantsDump = [&](std::string_view name) {
    return options.dumpStream &&
           std::any_of(options.dumpAfter.begin(), options.dumpAfter.end(),
                       [&](const std::string& d) { return d == "all" || d == name; });
  };
  const bool timePasses = timingRequested();
  if (options.verify && !verified(graph, "building it")) return false;
  for (const auto& pass : passes_) {
    auto start = std::chrono::steady_clock::now();
    bool changed = pass->run(graph, diags);
    auto elapsed = std::chrono::steady_clock::now() - start;
    graph.passesRun.emplace_back(pass->name());
    if (timePasses)
      std::cerr << "pass " << pass->name() << ": "
                << std::chrono::duration<double, std::micro>(elapsed).count() << " us\n";
    if (diags.hasErrors()) return false;
    if (options.verify && !verified(graph, "pass " + std::string(pass->name()))) return false;
    // Like Halide's lowering log: only passes that changed something print.
    if (wantsDump(pass->name())) {
      *options.dumpStream << "; after " << pass->name() << (changed ? "" : " (unchanged)") << "\n";
      if (changed) ir::printGraph(*options.dumpStream, graph);
    }
  }
  return true;
}

} // namespace fiver::passes
