#include "compiler/ir/GraphPrinter.h"

#include <boost/graph/graphviz.hpp>

#include <charconv>
#include <ostream>
#include <sstream>

namespace fiver::ir {

namespace {

std::string number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string scalarText(const plan::Scalar& s) {
  return s.isString ? "\"" + s.text + "\"" : number(s.number);
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

std::string opLabel(const OpNode& op) {
  std::string s = op.kind;
  if (!op.attrs.empty()) {
    s += "[";
    bool first = true;
    for (const auto& [k, v] : op.attrs) {
      s += (first ? "" : ", ") + k + "=" + scalarText(v);
      first = false;
    }
    s += "]";
  }
  return s;
}

} // namespace

void printGraph(std::ostream& os, const TrainingGraph& g) {
  os << "graph " << g.recipe.name << "\n";
  for (OpId v : g.opsInOrder()) {
    const OpNode& op = g.model[v];
    os << "  %" << v << " " << op.name << " = " << opLabel(op) << " (";
    std::vector<OpId> ins = g.inputsOf(v);
    for (size_t i = 0; i < ins.size(); ++i)
      os << (i ? ", " : "") << "%" << ins[i];
    os << ") : " << shapeText(op.shape) << " " << op.dtype;
    if (op.memoryFormat != "contiguous") os << " " << op.memoryFormat;
    if (op.freezeStep >= 0) os << " frozen@" << op.freezeStep;
    if (!op.expr.empty()) os << " {" << op.expr << "}";
    os << "\n";
  }
  const Timeline& t = g.timeline;
  os << "timeline " << t.totalSteps << " steps = " << t.epochs << " epochs x " << t.stepsPerEpoch
     << " steps (" << t.trainSize << " samples, batch " << g.recipe.batchSize;
  if (t.holdout > 0) os << ", " << t.holdout << " held out";
  os << ")\n";
  for (const TimelineEvent& e : t.events)
    os << "  step " << e.step << ": " << e.method << " " << e.what << "\n";
  for (const plan::ResolutionStage& s : g.resolution)
    os << "  resolution from step " << s.startStep << ": " << s.height << "x" << s.width << "\n";
  for (const MethodUse& m : g.recipe.methods)
    os << "method " << m.name << " : " << toString(m.triple) << "\n";
  for (const std::string& n : g.notes)
    os << "note " << n << "\n";
}

std::string graphToString(const TrainingGraph& g) {
  std::ostringstream os;
  printGraph(os, g);
  return os.str();
}

void writeDot(std::ostream& os, const TrainingGraph& g) {
  boost::write_graphviz(os, g.model, [&](std::ostream& out, OpId v) {
    const OpNode& op = g.model[v];
    std::string label = op.name + "\\n" + opLabel(op) + "\\n" + shapeText(op.shape);
    std::string escaped;
    for (char c : label) {
      if (c == '"')
        escaped += "\\\"";
      else
        escaped += c;
    }
    out << "[label=\"" << escaped << "\"";
    if (op.freezeStep >= 0) out << ", style=filled, fillcolor=lightblue";
    out << "]";
  });
}

} // namespace fiver::ir
