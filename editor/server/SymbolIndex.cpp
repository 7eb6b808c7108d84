#include "editor/server/SymbolIndex.h"

#include <algorithm>

namespace fiver::lsp {

namespace {

class Indexer {
public:
  Indexer(const Program& program, std::vector<Occurrence>& out) : program_(program), out_(out) {}

  void add(SymbolKind kind, const ast::Word& w, bool declaration = false) {
    if (!w.range.valid() || w.text.empty()) return;
    out_.push_back({kind, w.text, w.range, declaration, SymbolKind::Method, {}});
  }
  void addParam(SymbolKind ownerKind, const std::string& owner, const ast::Word& w,
                bool declaration) {
    if (!w.range.valid()) return;
    out_.push_back({SymbolKind::Param, w.text, w.range, declaration, ownerKind, owner});
  }

  // A callee written as a name or a call, with its named arguments.
  void callee(SymbolKind kind, const ast::Value& v) {
    if (v.kind == ast::Value::Kind::Name) {
      add(kind, {v.text, v.range});
    } else if (v.kind == ast::Value::Kind::Call) {
      add(kind, {v.text, v.nameRange});
      args(kind, v.text, v.args);
    }
  }
  void args(SymbolKind ownerKind, const std::string& owner, const std::vector<ast::Arg>& args) {
    for (const ast::Arg& a : args) {
      if (a.name) addParam(ownerKind, owner, *a.name, false);
      values(a.value, nullptr);
    }
  }
  // Names inside values: model parameters used in a model's arithmetic,
  // recipes listed in a study.
  void values(const ast::Value& v, const ast::ModelDecl* model) {
    if (v.kind == ast::Value::Kind::Name) {
      if (model) {
        for (const ast::ModelParam& p : model->params)
          if (p.name.text == v.text)
            addParam(SymbolKind::Model, model->name.text, {v.text, v.range}, false);
      } else if (program_.recipes.count(v.text)) {
        add(SymbolKind::Recipe, {v.text, v.range});
      }
    }
    for (const ast::Value& item : v.items)
      values(item, model);
    for (const ast::Arg& a : v.args)
      values(a.value, model);
  }

  void recipe(const ast::Recipe& r) {
    add(SymbolKind::Recipe, r.name, true);
    if (r.base) add(SymbolKind::Recipe, *r.base);
    for (const ast::RecipeItem& item : r.items) {
      switch (item.kind) {
      case ast::RecipeItem::Kind::Triple: {
        const ast::Triple& t = item.triple;
        for (const ast::Word* w : {&t.action, &t.component, &t.timing, &t.information})
          add(SymbolKind::Taxonomy, *w);
        if (t.method) {
          add(SymbolKind::Method, t.method->name);
          args(SymbolKind::Method, t.method->name.text, t.method->args);
        }
        break;
      }
      case ast::RecipeItem::Kind::Drop:
        add(SymbolKind::Method, item.key);
        break;
      case ast::RecipeItem::Kind::Target:
        break;
      case ast::RecipeItem::Kind::Setting:
        setting(item);
        break;
      }
    }
  }
  void setting(const ast::RecipeItem& item) {
    add(SymbolKind::SettingKey, item.key);
    const std::string& key = item.key.text;
    if (key == "task")
      callee(SymbolKind::Task, item.value);
    else if (key == "model")
      callee(SymbolKind::Model, item.value);
    else if (key == "optimizer")
      callee(SymbolKind::Optimizer, item.value);
    else if (key == "schedule")
      callee(SymbolKind::Schedule, item.value);
    else if (key == "augment") {
      if (item.value.kind == ast::Value::Kind::List)
        for (const ast::Value& v : item.value.items)
          callee(SymbolKind::Augmentation, v);
      else
        callee(SymbolKind::Augmentation, item.value);
    }
  }

  void method(const ast::MethodDecl& m) {
    add(SymbolKind::Method, m.name, true);
    for (const ast::DeclaredTriple& t : m.triples)
      for (const ast::Word* w : {&t.action, &t.component, &t.timing, &t.information})
        add(SymbolKind::Taxonomy, *w);
    for (const ast::ParamDecl& p : m.params)
      addParam(SymbolKind::Method, m.name.text, p.name, true);
    for (const ast::Word& w : m.conflicts)
      add(SymbolKind::Method, w);
    for (const ast::Word& w : m.after)
      add(SymbolKind::Method, w);
  }

  void layers(const ast::ModelDecl& model, const std::vector<ast::Layer>& list) {
    for (const ast::Layer& l : list) {
      if (l.kind == ast::Layer::Kind::Simple) {
        add(SymbolKind::Layer, l.name);
        for (const ast::Arg& a : l.args) {
          if (a.name) addParam(SymbolKind::Layer, l.name.text, *a.name, false);
          values(a.value, &model);
        }
      }
      if (l.kind == ast::Layer::Kind::Repeat) values(l.count, &model);
      layers(model, l.body);
      layers(model, l.shortcut);
    }
  }

  void model(const ast::ModelDecl& m) {
    add(SymbolKind::Model, m.name, true);
    for (const ast::ModelParam& p : m.params)
      addParam(SymbolKind::Model, m.name.text, p.name, true);
    layers(m, m.layers);
  }

private:
  const Program& program_;
  std::vector<Occurrence>& out_;
};

} // namespace

std::vector<Occurrence> indexFile(const ast::File& file, const Program& program) {
  std::vector<Occurrence> out;
  Indexer indexer(program, out);
  for (const ast::Recipe& r : file.recipes)
    indexer.recipe(r);
  for (const ast::MethodDecl& m : file.methods)
    indexer.method(m);
  for (const ast::ModelDecl& m : file.models)
    indexer.model(m);
  for (const ast::TaskDecl& t : file.tasks)
    indexer.add(SymbolKind::Task, t.name, true);
  for (const ast::StudyDecl& s : file.studies) {
    indexer.add(SymbolKind::Study, s.name, true);
    for (const ast::TaskItem& item : s.items)
      indexer.values(item.value, nullptr);
  }
  std::sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.range.begin.offset < b.range.begin.offset;
  });
  return out;
}

const Occurrence* occurrenceAt(const std::vector<Occurrence>& occurrences, size_t offset) {
  for (const Occurrence& o : occurrences) {
    size_t begin = o.range.begin.offset;
    if (begin <= offset && offset <= begin + o.range.length) return &o;
  }
  return nullptr;
}

bool sameSymbol(const Occurrence& a, const Occurrence& b) {
  if (a.kind != b.kind || a.name != b.name) return false;
  if (a.kind == SymbolKind::Param) return a.ownerKind == b.ownerKind && a.owner == b.owner;
  return true;
}

} // namespace fiver::lsp
