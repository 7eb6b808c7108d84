#include "editor/server/Hover.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/Taxonomy.h"
#include "editor/server/MethodCard.h"
#include "editor/server/SettingDocs.h"

namespace fiver::lsp {

namespace {

const BuiltinTable* builtinTable(SymbolKind kind) {
  switch (kind) {
  case SymbolKind::Optimizer:
    return &builtinOptimizers();
  case SymbolKind::Schedule:
    return &builtinSchedules();
  case SymbolKind::Augmentation:
    return &builtinAugmentations();
  case SymbolKind::Layer:
    return &builtinLayers();
  default:
    return nullptr;
  }
}

const char* builtinLabel(SymbolKind kind) {
  switch (kind) {
  case SymbolKind::Optimizer:
    return "optimizer";
  case SymbolKind::Schedule:
    return "schedule";
  case SymbolKind::Augmentation:
    return "augmentation";
  case SymbolKind::Layer:
    return "layer";
  default:
    return "";
  }
}

std::string valueText(const ast::Value& v) {
  if (v.kind == ast::Value::Kind::Name || v.kind == ast::Value::Kind::String) return v.text;
  return toString(Value::num(v.number, v.unit, v.isInteger));
}

std::optional<std::string> paramHover(const Analysis& a, const Occurrence& o) {
  std::vector<ParamSpec> specs;
  if (o.ownerKind == SymbolKind::Method) {
    if (auto sig = methodSignature(a.program(), o.owner)) specs = sig->params;
  } else if (o.ownerKind == SymbolKind::Model) {
    auto it = a.program().models.find(o.owner);
    if (it == a.program().models.end()) return std::nullopt;
    for (const ast::ModelParam& p : it->second->params)
      if (p.name.text == o.name) {
        std::string s = "```5r\n" + p.name.text + ": " + p.type.text;
        if (p.defaultValue) s += " = " + valueText(*p.defaultValue);
        return s + "\n```\nparameter of model `" + o.owner + "`";
      }
    return std::nullopt;
  } else if (const BuiltinTable* table = builtinTable(o.ownerKind)) {
    if (auto it = table->find(o.owner); it != table->end()) specs = it->second;
  }
  for (const ParamSpec& p : specs)
    if (p.name == o.name)
      return "```5r\n" + paramLine(p) + "\n```\nparameter of " + builtinLabel(o.ownerKind) +
             (o.ownerKind == SymbolKind::Method ? "method" : "") + " `" + o.owner + "`";
  return std::nullopt;
}

std::string builtinHover(SymbolKind kind, const std::string& name) {
  const BuiltinTable* table = builtinTable(kind);
  auto it = table->find(name);
  if (it == table->end()) return std::string("unknown ") + builtinLabel(kind) + " `" + name + "`";
  std::string s = "```5r\n" + std::string(builtinLabel(kind)) + " " + name + "(";
  for (size_t i = 0; i < it->second.size(); ++i)
    s += (i ? ", " : "") + paramLine(it->second[i]);
  return s + ")\n```\nbuilt into the runtime";
}

std::optional<std::string> hoverText(const Analysis& a, const Occurrence& o) {
  const Program& p = a.program();
  switch (o.kind) {
  case SymbolKind::Method:
    if (auto sig = methodSignature(p, o.name)) return methodCard(*sig);
    return std::nullopt;
  case SymbolKind::Param:
    return paramHover(a, o);
  case SymbolKind::Taxonomy: {
    std::string_view meaning = describeTaxonomyWord(o.name);
    if (meaning.empty()) return std::nullopt;
    return "**" + o.name + "**: " + std::string(meaning);
  }
  case SymbolKind::Model: {
    auto it = p.models.find(o.name);
    if (it == p.models.end() && o.name == "onnx") return onnxModelDoc();
    if (it == p.models.end()) return std::nullopt;
    std::string s = "```5r\nmodel " + o.name + "(";
    const auto& params = it->second->params;
    for (size_t i = 0; i < params.size(); ++i) {
      s += (i ? ", " : "") + params[i].name.text + ": " + params[i].type.text;
      if (params[i].defaultValue) s += " = " + valueText(*params[i].defaultValue);
    }
    return s + ")\n```\n" + std::to_string(it->second->layers.size()) + " layers";
  }
  case SymbolKind::Task: {
    auto it = p.tasks.find(o.name);
    if (it == p.tasks.end()) return std::nullopt;
    std::string s = "```5r\ntask " + o.name + "\n```\n";
    for (const ast::TaskItem& item : it->second->items)
      if (item.value.kind != ast::Value::Kind::List)
        s += "\n- " + item.key.text + " " + valueText(item.value);
    return s;
  }
  case SymbolKind::Recipe: {
    auto it = p.recipes.find(o.name);
    if (it == p.recipes.end()) return std::nullopt;
    std::string s = "```5r\nrecipe " + o.name;
    if (it->second->base) s += " extends " + it->second->base->text;
    return s + "\n```\n" + std::to_string(it->second->items.size()) + " items";
  }
  case SymbolKind::Study:
    return "```5r\nstudy " + o.name + "\n```";
  case SymbolKind::SettingKey: {
    std::string doc = recipeSettingDoc(o.name);
    return "recipe setting `" + o.name + "`" + (doc.empty() ? "" : ": " + doc);
  }
  case SymbolKind::Optimizer:
  case SymbolKind::Schedule:
  case SymbolKind::Augmentation:
  case SymbolKind::Layer:
    return builtinHover(o.kind, o.name);
  }
  return std::nullopt;
}

} // namespace

std::optional<MarkupHover> hover(const Analysis& analysis, Position position) {
  size_t offset = analysis.lines().offsetAt(position);
  const Occurrence* o = occurrenceAt(analysis.occurrences(), offset);
  if (!o) return std::nullopt;
  std::optional<std::string> text = hoverText(analysis, *o);
  if (!text) return std::nullopt;
  return MarkupHover{*text, analysis.rangeOf(o->range)};
}

} // namespace fiver::lsp
