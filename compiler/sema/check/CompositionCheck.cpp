// The checked methods together: conflicts, the inputs each acts on, and the
// order their hooks fire in.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/InputKinds.h"

#include <algorithm>

namespace fiver::check {

namespace {

// The word a condition's value is compared with: a name or string as
// written, anything else in its canonical text.
std::string conditionWord(const Value& v) {
  return v.kind == Value::Kind::Ident || v.kind == Value::Kind::String ? v.text : toString(v);
}

// Whether `declarer`'s conflict with `other` (if it declares one) holds for
// `other`'s arguments; `condition` gets its `when` clause, if any.
bool conflictHolds(const MethodSignature& declarer, const MethodUse& other,
                   const ConflictCondition*& condition) {
  const auto& names = declarer.conflicts;
  if (std::find(names.begin(), names.end(), other.name) == names.end()) return false;
  auto when = declarer.conflictConditions.find(other.name);
  if (when == declarer.conflictConditions.end()) return true;
  auto value = other.params.find(when->second.param);
  if (value == other.params.end() || conditionWord(value->second) != when->second.value)
    return false;
  condition = &when->second;
  return true;
}

} // namespace

void RecipeChecker::checkConflictConditions() {
  for (const auto& [name, sig] : signatures_)
    for (const auto& [other, c] : sig.conflictConditions) {
      auto it = signatures_.find(other);
      if (it == signatures_.end()) continue;
      const auto& params = it->second.params;
      const std::string& wanted = c.param; // lambdas cannot capture bindings before C++20
      if (std::none_of(params.begin(), params.end(),
                       [&](const ParamSpec& p) { return p.name == wanted; }))
        diags_.report(DiagId::UnknownParameter, c.where,
                      "method " + name + "'s conflict with " + other + " depends on '" + c.param +
                          "', which " + other + " does not declare");
    }
}

void RecipeChecker::checkComposition(const CheckedRecipe& out) {
  for (size_t j = 0; j < out.methods.size(); ++j) {
    const MethodUse& b = out.methods[j];
    for (size_t i = 0; i < j; ++i) {
      const MethodUse& a = out.methods[i];
      if (a.name == b.name) {
        Diagnostic& d = diags_.report(DiagId::DuplicateMethod, b.where,
                                      "method '" + b.name + "' is applied twice");
        d.notes.push_back({a.where, "first applied here"});
        continue;
      }
      // A conditional conflict depends on the arguments of the method it names.
      const ConflictCondition* condition = nullptr;
      const MethodUse* conditioned = nullptr;
      if (conflictHolds(signatures_.at(a.name), b, condition))
        conditioned = &b;
      else if (conflictHolds(signatures_.at(b.name), a, condition))
        conditioned = &a;
      else
        continue;
      reportConflict(a, b, condition ? conditioned : nullptr, condition);
    }
  }
}

// At the later method's line; a conditional conflict also says which
// argument makes it hold, at that argument when the recipe writes it.
void RecipeChecker::reportConflict(const MethodUse& a, const MethodUse& b,
                                   const MethodUse* conditioned,
                                   const ConflictCondition* condition) {
  std::string message = "method '" + b.name + "' conflicts with '" + a.name + "'";
  if (condition)
    message += " when " + conditioned->name + "'s " + condition->param + " is " + condition->value;
  Diagnostic& d = diags_.report(DiagId::MethodConflict, b.where, message);
  d.notes.push_back({a.where, "'" + a.name + "' is applied here"});
  if (condition) {
    const std::string arg = condition->param + ": " + condition->value;
    auto written = conditioned->argWhere.find(condition->param);
    if (written != conditioned->argWhere.end())
      d.notes.push_back({written->second, "'" + arg + "' makes them conflict"});
    else
      d.notes.push_back({conditioned->where, "'" + conditioned->name + "' has `" + arg +
                                                 "` by default, which makes them conflict"});
    d.notes.push_back({{},
                       "give " + conditioned->name + " another " + condition->param +
                           ", use one of the methods, or drop the inherited one with `drop " +
                           a.name + "`"});
    return;
  }
  d.notes.push_back({{}, "use one of them, or drop the inherited one with `drop " + a.name + "`"});
}

// Image methods on a text task, and sequence methods on an image task,
// would do nothing (or fail at run time): reject them here.
void RecipeChecker::checkInputKinds(const CheckedRecipe& out) {
  if (out.task.name.empty() || out.task.inputShape.empty()) return; // task already failed
  const InputKind task = taskInputKind(out.task.inputShape);
  auto reject = [&](const std::string& what, SourceRange where, InputKind needs) {
    Diagnostic& d = diags_.report(DiagId::WrongInputKind, where,
                                  what + " acts on " + inputKindName(needs) + ", but task '" +
                                      out.task.name + "' gives " + inputKindName(task));
    d.notes.push_back({out.task.where, "the task's input shape is declared here"});
  };
  for (const MethodUse& use : out.methods) {
    const InputKind needs = signatures_.at(use.name).inputs;
    if (needs != InputKind::Any && needs != task)
      reject("method '" + use.name + "'", use.where, needs);
  }
  if (task == InputKind::Tokens)
    for (const CallSpec& a : out.augment)
      reject("augmentation '" + a.kind + "'", a.where, InputKind::Images);
}

// Hooks fire in the order of the checked methods: by phase, then after the
// methods each declares `after`, then by name. The recipe's written order
// plays no part, so reordering a recipe's lines never changes the plan.
void RecipeChecker::orderByPhase(CheckedRecipe& out) {
  std::vector<MethodUse> pending = std::move(out.methods);
  out.methods.clear();
  auto waitsFor = [&](const MethodUse& m) {
    for (const std::string& dep : signatures_.at(m.name).after)
      for (const MethodUse& other : pending)
        if (other.name == dep) return true;
    return false;
  };
  auto before = [&](const MethodUse& a, const MethodUse& b) {
    const int pa = signatures_.at(a.name).phaseRank, pb = signatures_.at(b.name).phaseRank;
    return pa != pb ? pa < pb : a.name < b.name;
  };
  while (!pending.empty()) {
    auto next = pending.end();
    for (auto it = pending.begin(); it != pending.end(); ++it)
      if (!waitsFor(*it) && (next == pending.end() || before(*it, *next))) next = it;
    if (next == pending.end()) {
      Diagnostic& d = diags_.report(DiagId::MethodConflict, pending.front().where,
                                    "the `after` relations of these methods form a cycle");
      for (const MethodUse& m : pending)
        d.notes.push_back({m.where, "'" + m.name + "'"});
      return;
    }
    out.methods.push_back(std::move(*next));
    pending.erase(next);
  }
}

} // namespace fiver::check
