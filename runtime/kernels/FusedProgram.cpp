#include "runtime/kernels/FusedProgram.h"

#include <sstream>
#include <stdexcept>

namespace fiver::kernels {

namespace {

void markInputs(const Node& n, std::vector<bool>& read) {
  if (n.kind == Node::Kind::Input && n.index >= 0 && static_cast<size_t>(n.index) < read.size())
    read[static_cast<size_t>(n.index)] = true;
  for (const NodePtr& a : n.args)
    markInputs(*a, read);
}

std::vector<bool> parseSaved(const std::string& saved, int inputs) {
  std::vector<bool> keep(static_cast<size_t>(inputs), false);
  std::stringstream in(saved);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    if (item[0] != '%' || item.size() < 2 ||
        item.find_first_not_of("0123456789", 1) != std::string::npos)
      throw std::runtime_error("'saved' entry '" + item + "' is not of the form %i");
    int i = std::stoi(item.substr(1));
    if (i >= inputs)
      throw std::runtime_error("'saved' names %" + std::to_string(i) + ", but the op has " +
                               std::to_string(inputs) + " input(s)");
    keep[static_cast<size_t>(i)] = true;
  }
  return keep;
}

} // namespace

std::vector<bool> inputsRead(const Node& expr, int inputs) {
  std::vector<bool> read(static_cast<size_t>(inputs), false);
  markInputs(expr, read);
  return read;
}

FusedProgram FusedProgram::build(const std::string& expr, int inputs, int params,
                                 const std::optional<std::string>& saved) {
  FusedProgram p;
  p.forward = parseExpr(expr);
  if (inputCount(*p.forward) > inputs)
    throw std::runtime_error("the expression reads %" + std::to_string(inputCount(*p.forward) - 1) +
                             ", but the op has " + std::to_string(inputs) + " input(s)");
  if (paramCount(*p.forward) > params)
    throw std::runtime_error("the expression reads @" + std::to_string(paramCount(*p.forward) - 1) +
                             ", but 'params' names " + std::to_string(params));
  p.inputs = inputs;
  p.params = params;
  p.backward = differentiate(*p.forward, inputs, params);
  std::vector<bool> needed(static_cast<size_t>(inputs), false);
  for (const NodePtr& g : p.backward.inputGrads)
    if (g) markInputs(*g, needed);
  for (const NodePtr& g : p.backward.paramGrads)
    if (g) markInputs(*g, needed);
  if (!saved) {
    p.savedInputs = needed;
    return p;
  }
  p.savedInputs = parseSaved(*saved, inputs);
  for (int i = 0; i < inputs; ++i)
    if (needed[static_cast<size_t>(i)] && !p.savedInputs[static_cast<size_t>(i)])
      throw std::runtime_error("backward of '" + expr + "' reads %" + std::to_string(i) +
                               ", which 'saved' does not keep");
  return p;
}

} // namespace fiver::kernels
