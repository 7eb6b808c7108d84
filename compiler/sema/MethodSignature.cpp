#include "compiler/sema/MethodSignature.h"

#include "compiler/sema/HookPhase.h"
#include "compiler/sema/ModelRequirements.h"
#include "compiler/sema/Suggest.h"

#include <algorithm>
#include <map>

namespace fiver {

namespace {

template <typename E>
std::optional<E> checkWord(const ast::Word& w, std::optional<E> (*parse)(std::string_view),
                           const std::vector<std::string>& valid, const char* role,
                           DiagnosticEngine& diags) {
  if (std::optional<E> e = parse(w.text)) return e;
  std::string list;
  for (const std::string& v : valid)
    list += (list.empty() ? "" : ", ") + v;
  Diagnostic& d = diags.report(DiagId::UnknownTaxonomyWord, w.range,
                               "'" + w.text + "' is not " + role + " of the 5R taxonomy");
  d.notes.push_back({{}, std::string("expected one of: ") + list});
  if (auto near = closestMatch(w.text, valid))
    d.fixits.push_back({w.range, *near, Applicability::MachineApplicable});
  return std::nullopt;
}

std::optional<double> numberOf(const std::optional<ast::Value>& v, DiagnosticEngine& diags) {
  if (!v) return std::nullopt;
  if (v->kind != ast::Value::Kind::Number) {
    diags.report(DiagId::ParameterType, v->range, "a range bound must be a number");
    return std::nullopt;
  }
  return v->number;
}

} // namespace

std::optional<Triple> checkTripleWords(const ast::Word& action, const ast::Word& component,
                                       const ast::Word& timing, const ast::Word& information,
                                       DiagnosticEngine& diags) {
  auto a = checkWord(action, parseAction, {"remove", "restrict", "reorder", "replace", "retrofit"},
                     "an action", diags);
  auto c = checkWord(component, parseComponent,
                     {"model_parameters", "architecture", "training_data", "derived_data",
                      "training_objective", "training_algorithm"},
                     "a component", diags);
  auto t = checkWord(timing, parseTiming, {"static", "dynamic"}, "a timing", diags);
  auto i = checkWord(information, parseInformation, {"domain", "learned"}, "an information source",
                     diags);
  if (!a || !c || !t || !i) return std::nullopt;
  return Triple{*a, *c, *t, *i};
}

namespace {
// A method with hooks must say where in the step they run: the checker orders
// hooks by phase, never by the order of a recipe's lines.
void checkPhase(const ast::MethodDecl& decl, MethodSignature& sig, DiagnosticEngine& diags) {
  if (decl.phase.text.empty()) {
    if (!sig.hooks.empty())
      diags.report(DiagId::HookPhase, decl.name.range,
                   "method " + sig.name + " lowers to a hook but declares no `phase`");
    return;
  }
  std::optional<int> rank = hookPhaseRank(decl.phase.text);
  if (!rank) {
    std::string known;
    for (const HookPhase& p : hookPhases())
      known += (known.empty() ? "" : ", ") + std::string(p.name);
    diags.report(DiagId::HookPhase, decl.phase.range,
                 "unknown phase '" + decl.phase.text + "' (phases, in step order: " + known + ")");
    return;
  }
  sig.phase = decl.phase.text;
  sig.phaseRank = *rank;
}

// `inputs images` / `inputs text`, and `requires` words the checker knows.
void checkInputsAndRequirements(const ast::MethodDecl& decl, MethodSignature& sig,
                                DiagnosticEngine& diags) {
  if (!decl.inputs.text.empty()) {
    if (auto kind = parseInputKind(decl.inputs.text))
      sig.inputs = *kind;
    else
      diags.report(DiagId::SyntaxError, decl.inputs.range,
                   "a method's inputs are 'images' or 'text', not '" + decl.inputs.text + "'");
  }
  for (const ast::Word& r : decl.requirements) {
    if (!isModelRequirement(r.text)) {
      std::string known;
      for (const ModelRequirement& m : modelRequirements())
        known += (known.empty() ? "'" : ", '") + std::string(m.word) + "'";
      diags.report(DiagId::SyntaxError, r.range,
                   "a method may require " + known + " of the model, not '" + r.text + "'");
      continue;
    }
    sig.requirements.push_back(r.text);
  }
}
} // namespace

bool MethodSignature::declares(const Triple& t) const {
  return std::find(triples.begin(), triples.end(), t) != triples.end();
}

bool MethodSignature::isDefaultFor(const Triple& t) const {
  return std::find(defaultFor.begin(), defaultFor.end(), t) != defaultFor.end();
}

std::vector<std::string> conflictsText(const MethodSignature& m) {
  std::vector<std::string> out;
  for (const std::string& c : m.conflicts) {
    auto when = m.conflictConditions.find(c);
    out.push_back(when == m.conflictConditions.end()
                      ? c
                      : c + " (when " + when->second.param + " == " + when->second.value + ")");
  }
  return out;
}

std::string triplesText(const MethodSignature& m) {
  std::string out;
  for (const Triple& t : m.triples)
    out += (out.empty() ? "" : " | ") + toString(t);
  return out;
}

std::optional<MethodSignature> checkMethodDecl(const ast::MethodDecl& decl,
                                               DiagnosticEngine& diags) {
  size_t before = diags.errorCount();
  MethodSignature sig;
  sig.name = decl.name.text;
  sig.decl = &decl;
  for (const ast::DeclaredTriple& d : decl.triples) {
    std::optional<Triple> t =
        checkTripleWords(d.action, d.component, d.timing, d.information, diags);
    if (!t) continue;
    if (sig.declares(*t)) {
      diags.report(DiagId::DuplicateDefinition, d.range,
                   "method " + sig.name + " declares '" + toString(*t) + "' twice");
      continue;
    }
    sig.triples.push_back(*t);
    if (d.isDefault) sig.defaultFor.push_back(*t);
  }
  if (!sig.triples.empty()) sig.triple = sig.triples.front();
  sig.isDefault = !sig.defaultFor.empty();
  if (decl.formerly)
    sig.formerly = checkTripleWords(decl.formerly->action, decl.formerly->component,
                                    decl.formerly->timing, decl.formerly->information, diags);

  std::map<std::string, const ast::ParamDecl*> declared;
  for (const ast::ParamDecl& p : decl.params) {
    auto [first, inserted] = declared.emplace(p.name.text, &p);
    if (inserted) continue;
    Diagnostic& d =
        diags.report(DiagId::DuplicateDefinition, p.name.range,
                     "method " + sig.name + " declares parameter '" + p.name.text + "' twice");
    d.notes.push_back({first->second->name.range, "first declared here"});
  }
  for (const ast::ParamDecl& p : decl.params) {
    if (declared.at(p.name.text) != &p) continue; // a repeated declaration, reported above
    if (!isKnownParamType(p.type.text)) {
      diags.report(DiagId::ParameterType, p.type.range,
                   "unknown parameter type '" + p.type.text +
                       "' (int, float, bool, percent, duration, string, name)");
      continue;
    }
    ParamSpec spec;
    spec.name = p.name.text;
    spec.type = p.type.text;
    spec.where = p.range;
    spec.low = numberOf(p.low, diags);
    spec.high = numberOf(p.high, diags);
    if (p.defaultValue) {
      // The default is checked like an argument, so it must fit its own type and range.
      ParamSpec asRequired = spec;
      ast::Arg arg;
      arg.name = p.name;
      arg.value = *p.defaultValue;
      arg.range = p.defaultValue->range;
      ParamMap out;
      if (checkArguments({arg}, {asRequired}, "method " + sig.name, p.range, {}, diags, out))
        spec.defaultValue = out[spec.name];
    }
    sig.params.push_back(std::move(spec));
  }
  for (const ast::Lowering& l : decl.lowerings) {
    if (l.kind.text == "pass") {
      sig.passes.push_back(l.target.text);
    } else if (l.kind.text == "hook") {
      sig.hooks.push_back(l.target.text);
    } else {
      diags.report(DiagId::SyntaxError, l.kind.range,
                   "a method lowers to a 'pass' or a 'hook', not '" + l.kind.text + "'");
    }
  }
  for (const ast::Word& e : decl.effects) {
    // model_size: what a method shrinks that no step time shows (pruning with
    // dense kernels), so `5rc profile` never offers it for a time bottleneck.
    // memory: the peak memory of a step, offered for a memory bottleneck.
    if (e.text != "T_i" && e.text != "n_iteration" && e.text != "model_size" && e.text != "memory")
      diags.report(DiagId::SyntaxError, e.range,
                   "an effect is 'T_i' (time per iteration), 'n_iteration' (iterations), "
                   "'model_size' (nonzero parameters of the trained model) or 'memory' (peak "
                   "memory of a step), not '" +
                       e.text + "'");
    sig.effects.push_back(e.text);
  }
  for (const ast::Word& c : decl.conflicts)
    sig.conflicts.push_back(c.text);
  for (const auto& [method, c] : decl.conflictConditions)
    sig.conflictConditions[method] = {c.param.text, c.value.text, c.range};
  for (const ast::Word& a : decl.after)
    sig.after.push_back(a.text);
  checkPhase(decl, sig, diags);
  checkInputsAndRequirements(decl, sig, diags);
  if (diags.errorCount() != before) return std::nullopt;
  return sig;
}

} // namespace fiver
