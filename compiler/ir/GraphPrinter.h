// Stable, diffable text of a training graph (golden tests compare it), and
// Graphviz output of the model.
#pragma once

#include "compiler/ir/TrainingGraph.h"

#include <iosfwd>
#include <string>

namespace fiver::ir {

void printGraph(std::ostream& os, const TrainingGraph& g);
std::string graphToString(const TrainingGraph& g);

void writeDot(std::ostream& os, const TrainingGraph& g);

} // namespace fiver::ir
