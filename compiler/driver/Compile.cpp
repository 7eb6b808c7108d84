#include "compiler/driver/Compile.h"

#include "compiler/ir/GraphBuilder.h"
#include "compiler/ir/GraphPrinter.h"
#include "compiler/lower/Lower.h"
#include "passes/PassManager.h"

#include <fstream>
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
  if (!pm.run(*graph, po, diags)) return std::nullopt;

  if (!options.dotFile.empty()) {
    std::ofstream dot(options.dotFile);
    ir::writeDot(dot, *graph);
  }
  return lower(*graph);
}

} // namespace fiver
