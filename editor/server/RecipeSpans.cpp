#include "editor/server/RecipeSpans.h"

#include "compiler/frontend/Parser.h"
#include "compiler/frontend/SyntaxRecovery.h"

#include <cctype>

namespace fiver::lsp {

namespace {

bool startsRecipe(const std::string& text, size_t at) {
  static const std::string kw = "recipe";
  return text.compare(at, kw.size(), kw) == 0 && at + kw.size() < text.size() &&
         std::isspace(static_cast<unsigned char>(text[at + kw.size()]));
}

// What stood at `from` now stands at `to`: SourceRange's unsigned fields
// wrap around and back when moving towards the start.
struct Move {
  SourceLoc from, to;
};

void moveRange(SourceRange& r, const Move& m) {
  if (!r.valid()) return;
  if (r.begin.line == m.from.line) r.begin.column += m.to.column - m.from.column;
  r.begin.line += m.to.line - m.from.line;
  r.begin.offset += m.to.offset - m.from.offset;
}

const SourceLoc kStart{{}, 1, 1, 0}; // where a recipe parsed on its own begins

void moveWord(ast::Word& w, const Move& origin) {
  moveRange(w.range, origin);
}

void moveValue(ast::Value& v, const Move& origin);

void moveArgs(std::vector<ast::Arg>& args, const Move& origin) {
  for (ast::Arg& a : args) {
    if (a.name) moveWord(*a.name, origin);
    moveValue(a.value, origin);
    moveRange(a.range, origin);
  }
}

void moveValue(ast::Value& v, const Move& origin) {
  for (ast::Value& item : v.items)
    moveValue(item, origin);
  moveArgs(v.args, origin);
  moveRange(v.range, origin);
  moveRange(v.nameRange, origin);
}

void moveItem(ast::RecipeItem& item, const Move& origin) {
  ast::Triple& t = item.triple;
  for (ast::Word* w : {&t.action, &t.component, &t.timing, &t.information})
    moveWord(*w, origin);
  if (t.method) {
    moveWord(t.method->name, origin);
    moveArgs(t.method->args, origin);
    moveRange(t.method->range, origin);
  }
  moveRange(t.range, origin);
  moveWord(item.key, origin);
  moveValue(item.value, origin);
  moveRange(item.range, origin);
}

void moveRecipeBy(ast::Recipe& r, const Move& origin) {
  moveWord(r.name, origin);
  if (r.base) moveWord(*r.base, origin);
  for (ast::RecipeItem& item : r.items)
    moveItem(item, origin);
  moveRange(r.range, origin);
}

} // namespace

uint64_t hashText(std::string_view text, uint64_t seed) {
  uint64_t h = seed;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

SplitDocument splitDocument(const std::string& path, const std::string& text) {
  SplitDocument out;
  out.blanked = text;
  uint32_t line = 1;
  size_t lineStart = 0, scanned = 0;
  for (const frontend::ByteSpan& s : frontend::topLevelSpans(text)) {
    for (; scanned < s.begin; ++scanned)
      if (text[scanned] == '\n') {
        ++line;
        lineStart = scanned + 1;
      }
    DeclSpan d;
    d.begin = s.begin;
    d.end = std::min(s.end, text.size());
    d.origin = {path, line, static_cast<uint32_t>(s.begin - lineStart + 1),
                static_cast<uint32_t>(s.begin)};
    d.hash = hashText(std::string_view(text).substr(d.begin, d.end - d.begin));
    d.recipe = startsRecipe(text, s.begin);
    if (d.recipe)
      for (size_t i = d.begin; i < d.end; ++i)
        if (out.blanked[i] != '\n') out.blanked[i] = ' ';
    out.decls.push_back(d);
  }
  // Recipes after the last other declaration need no blanks: nothing that
  // follows them has a position to keep.
  size_t keep = 0;
  for (const DeclSpan& d : out.decls)
    if (!d.recipe) keep = d.end;
  out.blanked.resize(keep);
  return out;
}

void moveRecipe(ast::Recipe& r, const SourceLoc& origin) {
  moveRecipeBy(r, {kStart, origin});
}

bool RecipeParseCache::fill(const std::string& path, const std::string& text,
                            const SplitDocument& split) {
  ++parses_;
  DiagnosticEngine diags;
  ast::File f = parseFile(path, text, diags);
  if (!diags.diagnostics().empty() || f.recovered) return false;
  size_t next = 0;
  for (const DeclSpan& d : split.decls) {
    if (!d.recipe) continue;
    if (next >= f.recipes.size() || f.recipes[next].range.begin.offset != d.begin) return false;
    ast::Recipe r = f.recipes[next++];
    moveRecipeBy(r, {d.origin, kStart});
    Entry& e = byText_[text.substr(d.begin, d.end - d.begin)];
    e.recipe = std::move(r);
    e.used = false;
  }
  return next == f.recipes.size();
}

size_t RecipeParseCache::misses(const std::string& text, const SplitDocument& split) const {
  size_t n = 0;
  for (const DeclSpan& d : split.decls)
    n += d.recipe && !byText_.count(text.substr(d.begin, d.end - d.begin));
  return n;
}

std::optional<ast::Recipe> RecipeParseCache::recipeAt(const std::string& path,
                                                      const std::string& text,
                                                      const SourceLoc& origin) {
  auto it = byText_.find(text);
  if (it == byText_.end()) {
    ++parses_;
    DiagnosticEngine diags;
    ast::File f = parseFile(path, text, diags);
    Entry e;
    const bool alone = f.recipes.size() == 1 && f.imports.empty() && f.methods.empty() &&
                       f.models.empty() && f.tasks.empty() && f.studies.empty();
    if (alone && diags.diagnostics().empty() && !f.recovered) e.recipe = std::move(f.recipes[0]);
    it = byText_.emplace(text, std::move(e)).first;
  }
  it->second.used = true;
  if (!it->second.recipe) return std::nullopt;
  ast::Recipe r = *it->second.recipe;
  moveRecipe(r, origin);
  return r;
}

void RecipeParseCache::sweep() {
  for (auto it = byText_.begin(); it != byText_.end();) {
    if (!it->second.used) {
      it = byText_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
}

} // namespace fiver::lsp
