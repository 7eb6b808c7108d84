// Builds the pipeline a recipe needs (registry order, filtered by the passes
// its methods lower to), runs it with the verifier after every pass, and
// dumps the graph after chosen passes (only those that changed it print the
// graph). FIVER_TIME_PASSES=1 prints per-pass timings on stderr.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/TrainingGraph.h"
#include "passes/Pass.h"
#include "passes/PassRegistry.h"

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace fiver::passes {

struct PipelineOptions {
  std::vector<std::string> dumpAfter; // pass names, or "all"
  std::ostream* dumpStream = nullptr;
  bool verify = true;
};

class PassManager {
public:
  // The passes the recipe's methods ask for, plus `requested` ones (compile
  // options such as --fuse); unknown names are diagnostics.
  bool buildPipelineFor(const CheckedRecipe& recipe, DiagnosticEngine& diags,
                        const std::vector<std::string>& requested = {});
  void add(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }

  void printPipeline(std::ostream& os) const;
  // Pairs of passes in the wrong order for their runsAfter() constraints;
  // empty when the pipeline is well ordered.
  std::vector<std::string> orderViolations() const;
  // Runs every pass in order; false when a pass reported errors or the
  // verifier found a broken graph.
  bool run(ir::TrainingGraph& graph, const PipelineOptions& options, DiagnosticEngine& diags);

private:
  // Writes why a requested dump will not appear (no such pass, or not in
  // this pipeline).
  void explainMissingDumps(const PipelineOptions& options) const;

  std::vector<std::unique_ptr<Pass>> passes_;
};

} // namespace fiver::passes
