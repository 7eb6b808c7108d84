#include "editor/server/MethodCard.h"

#include "compiler/sema/HookPhase.h"

namespace fiver::lsp {

std::optional<MethodSignature> methodSignature(const Program& program, const std::string& name) {
  auto it = program.methods.find(name);
  if (it == program.methods.end()) return std::nullopt;
  DiagnosticEngine ignored; // the check reports these already
  return checkMethodDecl(*it->second, ignored);
}

std::string paramLine(const ParamSpec& p) {
  std::string s = p.name + ": " + p.type;
  if (p.defaultValue) s += " = " + toString(*p.defaultValue);
  if (p.low || p.high)
    s += " in [" + (p.low ? toString(Value::num(*p.low)) : std::string("-inf")) + ", " +
         (p.high ? toString(Value::num(*p.high)) : std::string("inf")) + "]";
  if (!p.defaultValue) s += " (required)";
  return s;
}

std::string methodCard(const MethodSignature& m) {
  std::string out = "```5r\nmethod " + m.name + " :";
  for (size_t i = 0; i < m.triples.size(); ++i)
    out += std::string(i ? " |" : "") + " " + toString(m.triples[i]) +
           (m.isDefaultFor(m.triples[i]) ? " default" : "");
  out += "\n```\n";
  if (m.decl && !m.decl->survey.empty()) out += "\n**survey** " + m.decl->survey + "\n";
  if (m.decl && !m.decl->doc.empty()) out += "\n" + m.decl->doc + "\n";
  out += "\n**parameters**\n";
  if (m.params.empty()) out += "\n- (none)\n";
  for (const ParamSpec& p : m.params)
    out += "\n- `" + paramLine(p) + "`";
  out += "\n";
  auto list = [&](const char* label, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out += std::string("\n**") + label + "** ";
    for (size_t i = 0; i < items.size(); ++i)
      out += (i ? ", " : "") + items[i];
    out += "\n";
  };
  list("reduces", m.effects);
  list("passes", m.passes);
  list("runtime hooks", m.hooks);
  if (m.phaseRank >= 0)
    out += "\n**phase** " + m.phase + ": " + std::string(hookPhases()[m.phaseRank].meaning) + "\n";
  list("runs after", m.after);
  list("conflicts with", conflictsText(m));
  if (m.decl && !m.decl->cite.empty()) out += "\n*" + m.decl->cite + "*\n";
  return out;
}

} // namespace fiver::lsp
