// The recipe's task, and task declarations read into a TaskSpec.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/sema/Value.h"

namespace fiver::check {

namespace {

const std::vector<std::string> kTaskKeys = {"dataset",    "path",      "input", "classes",
                                            "train_size", "test_size", "metric"};

} // namespace

void RecipeChecker::checkTask(const FlatRecipe& flat, const ast::Recipe& recipe,
                              CheckedRecipe& out) {
  const ast::RecipeItem* item = setting(flat, "task");
  if (!item) return missing(recipe, "task", "task fashion_mnist");
  std::string name;
  std::vector<ast::Arg> args;
  SourceRange nameRange;
  if (!callOf(*item, name, args, nameRange)) return;
  auto it = program_.tasks.find(name);
  if (it == program_.tasks.end()) {
    reportUnknown(diags_, DiagId::UnknownTask, nameRange, "unknown task '" + name + "'", name,
                  keysOf(program_.tasks));
    return;
  }
  checkTaskDecl(*it->second, out.task);
}

// Reads a task declaration into `task`, reporting keys and values it cannot use.
void RecipeChecker::checkTaskDecl(const ast::TaskDecl& decl, TaskSpec& task) {
  const std::string& name = decl.name.text;
  task.name = name;
  task.where = decl.range;
  std::set<std::string> given;
  for (const ast::TaskItem& ti : decl.items) {
    given.insert(ti.key.text);
    std::optional<Value> v = evaluate(ti.value, {}, diags_);
    if (!v) continue;
    const std::string& key = ti.key.text;
    auto wrong = [&](const char* what) {
      diags_.report(DiagId::SettingType, ti.value.range,
                    "task setting '" + key + "' must be " + what);
    };
    auto whole = [&](int64_t& field) {
      if (v->kind == Value::Kind::Number && v->unit == Unit::None && v->number >= 0)
        field = static_cast<int64_t>(v->number);
      else
        wrong("a whole number");
    };
    if (key == "dataset" || key == "metric" || key == "path") {
      if (v->kind != Value::Kind::Ident && v->kind != Value::Kind::String) {
        wrong("a name or a string");
        continue;
      }
      (key == "dataset" ? task.dataset : key == "metric" ? task.metric : task.path) = v->text;
    } else if (key == "input") {
      task.inputShape.clear();
      for (const Value& x : v->list)
        if (x.kind == Value::Kind::Number && x.number >= 1)
          task.inputShape.push_back(static_cast<int64_t>(x.number));
      // [C, H, W] images, or [T] token sequences (text tasks).
      const size_t n = task.inputShape.size();
      if (v->kind != Value::Kind::List || (n != 3 && n != 1) || v->list.size() != n)
        wrong("a list of positive sizes: [channels, height, width] for images, or "
              "[sequence length] for text");
    } else if (key == "classes") {
      if (v->kind == Value::Kind::Number && v->number == 0)
        wrong("at least 1");
      else
        whole(task.classes);
    } else if (key == "train_size") {
      whole(task.trainSize);
    } else if (key == "test_size") {
      whole(task.testSize);
    } else {
      reportUnknown(diags_, DiagId::UnknownSetting, ti.key.range,
                    "'" + key + "' is not a task setting", key, kTaskKeys);
    }
  }
  // A key that is present but malformed was reported above; name only absent ones.
  std::string absent;
  for (const char* key : {"dataset", "input", "classes"})
    if (!given.count(key)) absent += std::string(absent.empty() ? "" : ", ") + key;
  if (!absent.empty())
    diags_.report(DiagId::MissingSetting, decl.name.range,
                  "task '" + name + "' does not give its " + absent);
}

} // namespace fiver::check
