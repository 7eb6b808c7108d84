#include "editor/server/Completion.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/HookPhase.h"
#include "compiler/sema/InputKinds.h"
#include "compiler/sema/ModelRequirements.h"
#include "compiler/sema/Taxonomy.h"
#include "editor/server/MethodCard.h"
#include "editor/server/SettingDocs.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace fiver::lsp {

namespace {

const std::vector<std::string> kActions = {"remove", "restrict", "reorder", "replace", "retrofit"};
const std::vector<std::string> kComponents = {"model_parameters",   "architecture",
                                              "training_data",      "derived_data",
                                              "training_objective", "training_algorithm"};
const std::vector<std::string> kTimings = {"static", "dynamic"};
const std::vector<std::string> kInformation = {"domain", "learned"};

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// What encloses the cursor, read from the text before it.
struct Context {
  std::string block; // first word of the outermost open block: recipe, method, model...
  std::vector<std::string> words; // whole words of the current statement before the cursor
  bool inComment = false;
  bool inParens = false;
  std::string callee;                // inParens: the name before the open parenthesis
  std::set<std::string> writtenArgs; // inParens: `name:` already written
  bool afterColon = false;           // the cursor follows `name:` (a value is expected)
  int argument = 0;                  // inParens: arguments written before the current one
  std::string argumentName;          // inParens: the current argument's `name:`, if written
};

Context scan(const std::string& text, size_t offset) {
  Context ctx;
  std::vector<std::string> blocks;
  std::string statement; // text since the last newline or brace, comments removed
  bool inString = false;
  for (size_t i = 0; i < offset; ++i) {
    char c = text[i];
    if (inString) {
      statement += c;
      if (c == '\\' && i + 1 < offset)
        statement += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      size_t end = text.find('\n', i);
      if (end == std::string::npos || end >= offset) {
        ctx.inComment = true;
        return ctx;
      }
      i = end - 1;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string::npos || end + 2 > offset) {
        ctx.inComment = true;
        return ctx;
      }
      i = end + 1;
      continue;
    }
    if (c == '"') inString = true;
    if (c == '{') {
      size_t b = statement.find_first_not_of(" \t\r;");
      size_t e = statement.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", b);
      blocks.push_back(b == std::string::npos ? "" : statement.substr(b, e - b));
      statement.clear();
    } else if (c == '}') {
      if (!blocks.empty()) blocks.pop_back();
      statement.clear();
    } else if (c == '\n') {
      statement.clear();
    } else {
      statement += c;
    }
  }
  if (inString) {
    ctx.inComment = true; // no completion inside a string
    return ctx;
  }
  if (!blocks.empty()) ctx.block = blocks.front();

  // Drop the word being typed; then look for an unclosed parenthesis.
  size_t end = statement.size();
  while (end > 0 && isWordChar(statement[end - 1]))
    --end;
  statement.resize(end);
  int depth = 0;
  for (size_t i = statement.size(); i-- > 0;) {
    if (statement[i] == ')')
      ++depth;
    else if (statement[i] == '(' && depth-- == 0) {
      ctx.inParens = true;
      std::string inside = statement.substr(i + 1);
      size_t k = i;
      while (k > 0 && statement[k - 1] == ' ')
        --k;
      size_t s = k;
      while (s > 0 && isWordChar(statement[s - 1]))
        --s;
      ctx.callee = statement.substr(s, k - s);
      for (size_t p = inside.find(':'); p != std::string::npos; p = inside.find(':', p + 1)) {
        size_t q = p;
        while (q > 0 && inside[q - 1] == ' ')
          --q;
        size_t r = q;
        while (r > 0 && isWordChar(inside[r - 1]))
          --r;
        ctx.writtenArgs.insert(inside.substr(r, q - r));
      }
      size_t last = inside.find_last_not_of(' ');
      ctx.afterColon = last != std::string::npos && inside[last] == ':';
      // The current argument starts after the last comma outside nested brackets.
      int nested = 0;
      size_t current = 0;
      for (size_t a = 0; a < inside.size(); ++a) {
        char ch = inside[a];
        nested += (ch == '(' || ch == '[') - (ch == ')' || ch == ']');
        if (ch == ',' && nested == 0) {
          ++ctx.argument;
          current = a + 1;
        }
      }
      std::string arg = inside.substr(current);
      if (size_t colon = arg.find(':'); colon != std::string::npos && colon > 0) {
        size_t b = arg.find_first_not_of(' ');
        size_t e = arg.find_last_not_of(' ', colon - 1);
        if (b != std::string::npos && e != std::string::npos && b <= e)
          ctx.argumentName = arg.substr(b, e + 1 - b);
      }
      statement.resize(s);
      break;
    }
  }
  std::string word;
  for (char c : statement + " ") {
    if (isWordChar(c)) {
      word += c;
    } else if (!word.empty()) {
      ctx.words.push_back(word);
      word.clear();
    }
  }
  return ctx;
}

CompletionItem keyword(const std::string& w, const std::string& detail = {}) {
  CompletionItem c;
  c.label = w;
  c.kind = CompletionItemKind::Keyword;
  c.detail = detail;
  return c;
}

void addTaxonomy(std::vector<CompletionItem>& out, const std::vector<std::string>& words) {
  for (const std::string& w : words) {
    CompletionItem c = keyword(w);
    c.kind = CompletionItemKind::EnumMember;
    c.documentation = std::string(describeTaxonomyWord(w));
    out.push_back(std::move(c));
  }
}

void addParams(std::vector<CompletionItem>& out, const std::vector<ParamSpec>& specs,
               const std::set<std::string>& written) {
  for (const ParamSpec& p : specs) {
    if (written.count(p.name)) continue;
    CompletionItem c;
    c.label = p.name;
    c.kind = CompletionItemKind::Field;
    c.detail = paramLine(p);
    c.snippet = true;
    c.insertText =
        p.name + ": ${1:" + (p.defaultValue ? toString(*p.defaultValue) : std::string()) + "}";
    out.push_back(std::move(c));
  }
}

void addBuiltins(std::vector<CompletionItem>& out, const BuiltinTable& table, const char* what) {
  for (const auto& [name, params] : table) {
    CompletionItem c;
    c.label = name;
    c.kind = CompletionItemKind::Function;
    c.detail = what;
    out.push_back(std::move(c));
  }
}

template <typename Table>
void addNames(std::vector<CompletionItem>& out, const Table& table, CompletionItemKind kind,
              const char* what) {
  for (const auto& [name, decl] : table) {
    CompletionItem c;
    c.label = name;
    c.kind = kind;
    c.detail = what;
    out.push_back(std::move(c));
  }
}

// `onnx("file.onnx")`: a model imported from ONNX, beside the declared ones.
CompletionItem onnxModelItem() {
  CompletionItem c;
  c.label = "onnx";
  c.kind = CompletionItemKind::Struct;
  c.detail = "model imported from an ONNX file";
  c.documentation = onnxModelDoc();
  c.insertText = "onnx(\"${1:model.onnx}\")";
  c.snippet = true;
  return c;
}

void addMethods(std::vector<CompletionItem>& out, const Program& program,
                const std::vector<std::string>& triple) {
  for (const auto& [name, decl] : program.methods) {
    // After a triple, offer the methods that declare that cell, in any of their triples.
    auto declaresTyped = [&](const ast::DeclaredTriple& t) {
      return t.action.text == triple[0] && t.component.text == triple[1] &&
             t.timing.text == triple[2] && t.information.text == triple[3];
    };
    if (!triple.empty() && std::none_of(decl->triples.begin(), decl->triples.end(), declaresTyped))
      continue;
    CompletionItem c;
    c.label = name;
    c.kind = CompletionItemKind::Method;
    if (auto sig = methodSignature(program, name)) {
      c.detail = triplesText(*sig) + (sig->isDefault ? " (default)" : "");
      c.documentation = methodCard(*sig);
    }
    out.push_back(std::move(c));
  }
}

std::vector<ParamSpec> calleeParams(const Program& program, const Context& ctx) {
  auto builtin = [&](const BuiltinTable& t) {
    auto it = t.find(ctx.callee);
    return it == t.end() ? std::vector<ParamSpec>{} : it->second;
  };
  if (ctx.block == "model") return builtin(builtinLayers());
  const std::string first = ctx.words.empty() ? "" : ctx.words[0];
  if (first == "model") {
    std::vector<ParamSpec> specs;
    if (auto it = program.models.find(ctx.callee); it != program.models.end())
      for (const ast::ModelParam& p : it->second->params) {
        ParamSpec s;
        s.name = p.name.text;
        s.type = p.type.text;
        if (p.defaultValue && p.defaultValue->kind == ast::Value::Kind::Number)
          s.defaultValue =
              Value::num(p.defaultValue->number, p.defaultValue->unit, p.defaultValue->isInteger);
        specs.push_back(s);
      }
    return specs;
  }
  if (first == "optimizer") return builtin(builtinOptimizers());
  if (first == "schedule") return builtin(builtinSchedules());
  if (first == "augment") return builtin(builtinAugmentations());
  if (auto sig = methodSignature(program, ctx.callee)) return sig->params;
  return {};
}

void completeRecipeLine(std::vector<CompletionItem>& out, const Program& program,
                        const Context& ctx) {
  const std::vector<std::string>& w = ctx.words;
  if (w.empty()) {
    for (const std::string& a : kActions)
      out.push_back(keyword(a, "action"));
    for (const auto& [key, detail] : recipeSettingDocs()) {
      CompletionItem c = keyword(key, detail);
      c.kind = CompletionItemKind::Property;
      out.push_back(std::move(c));
    }
    return;
  }
  if (contains(kActions, w[0])) {
    if (w.size() == 1)
      addTaxonomy(out, kComponents);
    else if (w.size() == 2)
      addTaxonomy(out, kTimings);
    else if (w.size() == 3)
      addTaxonomy(out, kInformation);
    else if (w.size() == 4)
      addMethods(out, program, w);
    return;
  }
  const std::string& key = w[0];
  if (key == "task" && w.size() == 1)
    addNames(out, program.tasks, CompletionItemKind::Module, "task");
  else if (key == "model" && w.size() == 1) {
    addNames(out, program.models, CompletionItemKind::Struct, "model");
    if (!program.models.count("onnx")) out.push_back(onnxModelItem());
  } else if (key == "optimizer" && w.size() == 1)
    addBuiltins(out, builtinOptimizers(), "optimizer");
  else if (key == "schedule" && w.size() == 1)
    addBuiltins(out, builtinSchedules(), "schedule");
  else if (key == "augment")
    addBuiltins(out, builtinAugmentations(), "augmentation");
  else if (key == "drop" && w.size() == 1)
    addMethods(out, program, {});
  else if (key == "precision" && w.size() == 1)
    for (const char* p : {"fp32", "bf16", "fp16"})
      out.push_back(keyword(p, "precision"));
  else if (key == "budget" && w.size() == 2)
    for (const char* u : {"epochs", "steps", "samples"})
      out.push_back(keyword(u, "unit"));
}

void completeMethodDecl(std::vector<CompletionItem>& out, const Program& program,
                        const Context& ctx) {
  const std::vector<std::string>& w = ctx.words;
  if (w.empty()) {
    for (const char* k : {"param", "effect", "lowers", "conflicts", "after", "phase", "inputs",
                          "requires", "doc", "cite"})
      out.push_back(keyword(k));
  } else if (w[0] == "param" && w.size() == 2) {
    for (const char* t : {"int", "float", "bool", "percent", "duration", "string", "name"})
      out.push_back(keyword(t, "parameter type"));
  } else if (w[0] == "effect") {
    for (const char* e : {"T_i", "n_iteration", "model_size", "memory"})
      out.push_back(keyword(e, "cost effect"));
  } else if (w[0] == "lowers" && w.size() == 1) {
    for (const char* l : {"pass", "hook"})
      out.push_back(keyword(l));
  } else if (w[0] == "conflicts" || w[0] == "after") {
    addMethods(out, program, {});
  } else if (w[0] == "inputs" && w.size() == 1) {
    for (const std::string& kind : inputKindWords())
      out.push_back(keyword(kind, "the kind of task the method acts on"));
  } else if (w[0] == "requires") {
    for (const ModelRequirement& r : modelRequirements())
      out.push_back(keyword(r.word, r.meaning));
  } else if (w[0] == "phase" && w.size() == 1) {
    for (const HookPhase& phase : hookPhases())
      out.push_back(keyword(std::string(phase.name), std::string(phase.meaning)));
  }
}

void completeTopLevel(std::vector<CompletionItem>& out, const Program& program,
                      const Context& ctx) {
  const std::vector<std::string>& w = ctx.words;
  if (w.empty()) {
    for (const char* k : {"recipe", "method", "model", "task", "study", "import"})
      out.push_back(keyword(k, "declaration"));
    return;
  }
  if (w[0] == "recipe" && w.size() == 2) out.push_back(keyword("extends"));
  if (w[0] == "recipe" && w.size() == 3 && w[2] == "extends")
    addNames(out, program.recipes, CompletionItemKind::Class, "recipe");
  if (w[0] == "method" && w.size() >= 2) {
    // `method NAME : action component timing information`
    size_t n = w.size() - 2;
    if (n == 0)
      addTaxonomy(out, kActions);
    else if (n == 1)
      addTaxonomy(out, kComponents);
    else if (n == 2)
      addTaxonomy(out, kTimings);
    else if (n == 3)
      addTaxonomy(out, kInformation);
    else if (n == 4)
      out.push_back(keyword("default"));
  }
}

} // namespace

std::vector<CompletionItem> complete(const Analysis& analysis, const std::string& text,
                                     Position position) {
  LineIndex lines(text);
  Context ctx = scan(text, lines.offsetAt(position));
  std::vector<CompletionItem> out;
  if (ctx.inComment) return out;
  const Program& program = analysis.program();
  if (ctx.inParens) {
    if (!ctx.afterColon) addParams(out, calleeParams(program, ctx), ctx.writtenArgs);
    return out;
  }
  if (ctx.block == "recipe")
    completeRecipeLine(out, program, ctx);
  else if (ctx.block == "method")
    completeMethodDecl(out, program, ctx);
  else if (ctx.block == "model") {
    for (const std::string& layer : namesOf(builtinLayers()))
      out.push_back(keyword(layer, "layer"));
    for (const char* k : {"residual", "shortcut", "repeat"})
      out.push_back(keyword(k));
  } else if (ctx.block.empty())
    completeTopLevel(out, program, ctx);
  return out;
}

std::optional<EnclosingCall> enclosingCall(const Analysis& analysis, const std::string& text,
                                           Position position) {
  LineIndex lines(text);
  Context ctx = scan(text, lines.offsetAt(position));
  if (ctx.inComment || !ctx.inParens || ctx.callee.empty()) return std::nullopt;
  EnclosingCall call;
  call.callee = ctx.callee;
  call.params = calleeParams(analysis.program(), ctx);
  if (call.params.empty() && !methodSignature(analysis.program(), ctx.callee)) return std::nullopt;
  call.active = ctx.argument;
  if (!ctx.argumentName.empty())
    for (size_t i = 0; i < call.params.size(); ++i)
      if (call.params[i].name == ctx.argumentName) call.active = static_cast<int>(i);
  return call;
}

} // namespace fiver::lsp
