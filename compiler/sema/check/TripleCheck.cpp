// Triples resolved to methods (named, or a cell's default), checked against
// the method's declaration, with its arguments.
#include "compiler/sema/check/RecipeChecker.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace fiver::check {

// A bare triple must resolve to exactly one method.
void RecipeChecker::checkOneDefaultPerCell() {
  std::vector<const MethodSignature*> defaults;
  for (const auto& [name, sig] : signatures_)
    if (sig.isDefault) defaults.push_back(&sig);
  // Declaration order (file, then offset) decides which one is "first".
  std::sort(defaults.begin(), defaults.end(), [](const auto* a, const auto* b) {
    const SourceLoc& x = a->decl->name.range.begin;
    const SourceLoc& y = b->decl->name.range.begin;
    return std::tie(x.file, x.offset) < std::tie(y.file, y.offset);
  });
  for (size_t j = 0; j < defaults.size(); ++j) {
    for (const Triple& cell : defaults[j]->defaultFor) {
      for (size_t i = 0; i < j; ++i) {
        if (!defaults[i]->isDefaultFor(cell)) continue;
        Diagnostic& d = diags_.report(DiagId::DuplicateDefinition, defaults[j]->decl->name.range,
                                      "'" + toString(cell) + "' already has a default method, '" +
                                          defaults[i]->name + "'");
        d.notes.push_back({defaults[i]->decl->name.range, "the first default is declared here"});
        break;
      }
    }
  }
}

// The method a triple names; null (reported) when it is unknown or not
// declared in the triple written.
const MethodSignature* RecipeChecker::namedMethod(const ast::Triple& t,
                                                  const std::optional<Triple>& written) {
  auto it = signatures_.find(t.method->name.text);
  if (it == signatures_.end()) {
    if (program_.methods.count(t.method->name.text)) return nullptr; // its declaration has errors
    reportUnknown(diags_, DiagId::UnknownMethod, t.method->name.range,
                  "unknown method '" + t.method->name.text + "'", t.method->name.text,
                  program_.methodNames());
    return nullptr;
  }
  const MethodSignature* sig = &it->second;
  if (!written || sig->declares(*written)) return sig;
  // A triple the method had before it followed the survey says so.
  bool moved = sig->formerly && *sig->formerly == *written;
  Diagnostic& d =
      diags_.report(DiagId::TripleMismatch, t.range,
                    "method '" + sig->name + "' is declared as '" + triplesText(*sig) + "', not '" +
                        toString(*written) + "'" +
                        (moved ? " (its triple moved to follow the survey's placement)" : ""));
  d.notes.push_back({sig->decl->name.range, "'" + sig->name + "' is declared here"});
  if (moved && !sig->decl->survey.empty())
    d.notes.push_back({{}, "the survey: " + sig->decl->survey});
  d.fixits.push_back({t.range, toString(sig->triple), Applicability::MachineApplicable});
  return nullptr;
}

// The default method of the cell a bare triple names; null (reported) when
// the cell has none.
const MethodSignature* RecipeChecker::defaultMethod(const ast::Triple& t, const Triple& written) {
  const MethodSignature* sig = nullptr;
  for (const auto& [name, s] : signatures_)
    if (s.isDefaultFor(written)) sig = &s;
  if (sig) {
    warnIfDefaultMoved(*sig, written, t.range);
    return sig;
  }
  // The cell's former default may have moved to follow the survey: offer its new cell.
  const MethodSignature* moved = nullptr;
  for (const auto& [name, s] : signatures_)
    if (s.formerly && *s.formerly == written && s.isDefault) moved = &s;
  Diagnostic& d =
      diags_.report(DiagId::NoDefaultMethod, t.range,
                    "no default method for '" + toString(written) + "': name one" +
                        (moved ? " (its former default, '" + moved->name + "', moved to '" +
                                     toString(moved->defaultFor.front()) + "' to follow the survey)"
                               : std::string()));
  if (moved)
    d.fixits.push_back({t.range, toString(moved->defaultFor.front()) + " " + moved->name,
                        Applicability::MaybeIncorrect});
  return nullptr;
}

void RecipeChecker::checkTriple(const ast::Triple& t, CheckedRecipe& out) {
  std::optional<Triple> written =
      checkTripleWords(t.action, t.component, t.timing, t.information, diags_);
  const MethodSignature* sig = t.method  ? namedMethod(t, written)
                               : written ? defaultMethod(t, *written)
                                         : nullptr;
  if (!sig || !written) return;
  MethodUse use;
  use.name = sig->name;
  use.triple = *written; // the cell the recipe chose, one of those the method declares
  use.passes = sig->passes;
  use.hooks = sig->hooks;
  use.effects = sig->effects;
  use.where = t.method ? t.method->range : t.range;
  std::vector<ast::Arg> noArgs;
  const std::vector<ast::Arg>& args = t.method ? t.method->args : noArgs;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string param = args[i].name             ? args[i].name->text
                        : i < sig->params.size() ? sig->params[i].name
                                                 : std::string();
    if (!param.empty()) use.argWhere[param] = args[i].range;
  }
  warnIfNotExecutable(*sig, use.where);
  if (checkArguments(args, sig->params, "method " + sig->name, use.where, {}, diags_, use.params))
    out.methods.push_back(std::move(use));
}

// A bare triple whose default was another method before the stdlib followed
// the survey (restrict architecture was factorize's, now weight_tying's)
// would silently change meaning: say so, and offer the named old method.
void RecipeChecker::warnIfDefaultMoved(const MethodSignature& now, const Triple& cell,
                                       const SourceRange& where) {
  for (const auto& [name, s] : signatures_) {
    if (&s == &now || !s.formerly || !(*s.formerly == cell) || !s.isDefault) continue;
    Diagnostic& d = diags_.report(DiagId::DefaultMoved, where,
                                  "'" + toString(cell) + "' now resolves to '" + now.name +
                                      "'; its default was '" + name + "', which moved to '" +
                                      toString(s.defaultFor.front()) + "' to follow the survey");
    d.fixits.push_back({where, toString(cell) + " " + now.name, Applicability::MaybeIncorrect});
    d.fixits.push_back(
        {where, toString(s.defaultFor.front()) + " " + name, Applicability::MaybeIncorrect});
  }
}

// No silent no-ops: a method whose hook the runtime lacks is flagged here,
// and 5rc-exec refuses the plan rather than ignoring the method.
void RecipeChecker::warnIfNotExecutable(const MethodSignature& sig, SourceRange where) {
  static const std::set<std::string> kHooks = {
#define HOOK(Name) Name,
#include "compiler/plan/RuntimeHooks.def"
#undef HOOK
  };
  for (const std::string& hook : sig.hooks) {
    if (kHooks.count(hook)) continue;
    Diagnostic& d = diags_.report(DiagId::HookNotExecutable, where,
                                  "method '" + sig.name + "' needs the runtime hook '" + hook +
                                      "', which 5rc-exec does not implement yet");
    d.notes.push_back({{}, "the recipe checks and compiles, but running it stops with an error"});
  }
}

} // namespace fiver::check
