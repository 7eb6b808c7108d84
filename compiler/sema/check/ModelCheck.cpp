// The recipe's model expanded for its task, model declarations on their own,
// and what methods require of the model.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/ModelExpansion.h"
#include "compiler/sema/ModelRequirements.h"

namespace fiver::check {

// Expands a model declaration on its own, with its defaults (a placeholder
// for parameters without one and for `classes`), so that `5rc check` of a
// models file reports unknown layers and bad arguments without a recipe.
void RecipeChecker::checkModelDecl(const ast::ModelDecl& decl) {
  std::vector<ast::Arg> args;
  for (const ast::ModelParam& p : decl.params) {
    if (p.defaultValue) continue;
    ast::Arg arg;
    arg.name = p.name;
    arg.value.kind = ast::Value::Kind::Number;
    arg.value.number = 1;
    arg.value.isInteger = p.type.text == "int";
    if (p.type.text == "percent") arg.value.unit = Unit::Percent;
    if (p.type.text == "duration") arg.value.unit = Unit::Steps;
    if (p.type.text == "bool" || p.type.text == "string" || p.type.text == "name") {
      arg.value.kind = ast::Value::Kind::Name;
      arg.value.text = p.type.text == "bool" ? "true" : "placeholder";
    }
    arg.range = arg.value.range = p.name.range;
    args.push_back(std::move(arg));
  }
  constexpr int64_t kPlaceholderClasses = 10;
  expandModel(decl, args, decl.name.range, kPlaceholderClasses, diags_);
}

void RecipeChecker::checkModel(const FlatRecipe& flat, const ast::Recipe& recipe,
                               CheckedRecipe& out) {
  const ast::RecipeItem* item = setting(flat, "model");
  if (!item) return missing(recipe, "model", "model small_cnn(width: 32)");
  std::string name;
  std::vector<ast::Arg> args;
  SourceRange nameRange;
  if (!callOf(*item, name, args, nameRange)) return;
  if (out.task.classes <= 0) return; // the task's error is reported; `classes` is unknown
  auto it = program_.models.find(name);
  // `onnx("file")` imports a model, unless the program declares one so named.
  if (name == "onnx" && it == program_.models.end()) return checkImportedModel(*item, args, out);
  if (it == program_.models.end()) {
    reportUnknown(diags_, DiagId::UnknownModel, nameRange, "unknown model '" + name + "'", name,
                  keysOf(program_.models));
    return;
  }
  if (auto model = expandModel(*it->second, args, item->value.range, out.task.classes, diags_))
    out.model = std::move(*model);
}

// A method that `requires` something of the model (an embedding to tie the
// classifier to) would do nothing on a model without it.
void RecipeChecker::checkModelRequirements(const CheckedRecipe& out) {
  if (out.model.name.empty()) return; // the model already failed to check
  for (const MethodUse& use : out.methods)
    fiver::checkModelRequirements(use, signatures_.at(use.name).requirements, out.model, diags_);
}

} // namespace fiver::check
