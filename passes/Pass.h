// The interface of a pass over the training graph. A pass is in the pipeline
// when a method of the recipe lowers to it (`lowers pass <name>` in the
// stdlib); it reads that method's parameters through enabledBy().
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/TrainingGraph.h"

#include <string_view>
#include <vector>

namespace fiver::passes {

class Pass {
public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  // The method whose parameters drive the pass.
  virtual std::string_view enabledBy() const = 0;
  // Passes that must have run first when they are in the same pipeline; the
  // registry order must agree (the pass manager checks).
  virtual std::vector<std::string_view> runsAfter() const { return {}; }
  // Rewrites the graph; returns whether anything changed. Errors are
  // reported to `diags` and stop the pipeline.
  virtual bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) = 0;
};

} // namespace fiver::passes
