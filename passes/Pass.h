// The interface of a pass over the training graph.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/TrainingGraph.h"

#include <string_view>

namespace fiver::passes {

class Pass {
public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  // Rewrites the graph; returns whether anything changed. Errors are
  // reported to `diags` and stop the pipeline.
  virtual bool run(ir::TrainingGraph& graph, DiagnosticEngine& diags) = 0;
};

} // namespace fiver::passes
