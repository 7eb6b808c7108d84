// The checked methods together: conflicts, the inputs each acts on, and the
// order their hooks fire in.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/InputKinds.h"

#include <algorithm>

namespace fiver::check {

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
      const auto& ca = signatures_.at(a.name).conflicts;
      const auto& cb = signatures_.at(b.name).conflicts;
      if (std::find(ca.begin(), ca.end(), b.name) != ca.end() ||
          std::find(cb.begin(), cb.end(), a.name) != cb.end()) {
        Diagnostic& d = diags_.report(DiagId::MethodConflict, b.where,
                                      "method '" + b.name + "' conflicts with '" + a.name + "'");
        d.notes.push_back({a.where, "'" + a.name + "' is applied here"});
        d.notes.push_back(
            {{}, "use one of them, or drop the inherited one with `drop " + a.name + "`"});
      }
    }
  }
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
