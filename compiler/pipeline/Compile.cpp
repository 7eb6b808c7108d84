#include "compiler/pipeline/Compile.h"

#include "compiler/pipeline/ScheduleCost.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/GraphPrinter.h"
#include "compiler/lower/Lower.h"
#include "compiler/plan/PlanVerifier.h"
#include "passes/PassManager.h"

#include <fstream>
#include <iostream>
#include <ostream>

namespace fiver {

std::optional<plan::Plan> compileRecipe(const CheckedRecipe& recipe, const CompileOptions& options,
                                        DiagnosticEngine& diags) {
  std::optional<ir::TrainingGraph> graph = ir::buildGraph(recipe, diags);
  if (!graph) return std::nullopt;

  passes::PassManager pm;
  std::vector<std::string> requested;
  if (options.fuse) requested.push_back("op_fusion");
  if (!pm.buildPipelineFor(recipe, diags, requested)) return std::nullopt;
  if (options.printPipeline) pm.printPipeline(*options.printPipeline);

  passes::PipelineOptions po;
  po.dumpAfter = options.dumpAfter;
  po.dumpStream = options.dumpStream;
  po.verify = options.verify;
  // The graph as built, for the cost comparison.
  std::optional<ir::TrainingGraph> before;
  if (options.costStream || options.cost) before = *graph;
  if (!pm.run(*graph, po, diags)) return std::nullopt;
  if (before) {
    CostReport report = costReport(*before, *graph);
    if (options.costStream) printCostReport(*options.costStream, report);
    if (options.cost) *options.cost = report;
  }

  if (!options.dotFile.empty()) {
    std::ofstream dot(options.dotFile);
    ir::writeDot(dot, *graph);
  }
  plan::Plan lowered = lower(*graph);
  // What 5rc-exec refuses must not be written: an inconsistent plan is a
  // compiler bug, reported like the pass verifier's findings.
  if (options.verify) {
    std::vector<std::string> problems = plan::verifyPlan(lowered);
    if (!problems.empty()) {
      std::cerr << "5rc: internal error: the lowered plan is inconsistent:\n";
      for (const std::string& p : problems)
        std::cerr << "  " << p << "\n";
      return std::nullopt;
    }
  }
  return lowered;
}

} // namespace fiver
