#include "editor/server/IncrementalCheck.h"

#include "compiler/sema/Check.h"

#include <set>
#include <tuple>

namespace fiver::lsp {

namespace {

using DiagKey = std::tuple<int, std::string, uint32_t, uint32_t, std::string>;
DiagKey keyOf(const Diagnostic& d) {
  return {static_cast<int>(d.id), d.range.begin.file, d.range.begin.offset, d.range.length,
          d.message};
}

std::string_view textOf(const std::string& text, const DeclSpan& s) {
  return std::string_view(text).substr(s.begin, s.end - s.begin);
}

// Every location a result's diagnostics hold. (Its compiled recipes say
// where they were declared, and are moved by their readers.)
template <typename F> void forEachRange(std::vector<Diagnostic>& diags, F&& f) {
  for (Diagnostic& d : diags) {
    f(d.range);
    for (DiagNote& n : d.notes)
      f(n.range);
    for (FixIt& x : d.fixits)
      f(x.range);
  }
}

// Moves the program's files into a program whose main file is `alone`, and
// back when it goes out of scope: the tables of `program` stay valid, since
// the files themselves do not move.
class Borrowed {
public:
  Borrowed(Program& owner, ast::File alone) : owner_(owner) {
    program.files = std::move(owner.files);
    program.files.push_back(std::make_unique<ast::File>(std::move(alone)));
    program.main = program.files.back().get();
    // The document's own declarations come first, so names resolve to them
    // and `alone`'s copies only add "defined twice" reports, dropped here.
    DiagnosticEngine redeclared;
    declareNames(program, std::stoull(owner.sourceHash, nullptr, 16), redeclared);
  }
  ~Borrowed() {
    program.files.pop_back();
    owner_.files = std::move(program.files);
  }
  Program program;

private:
  Program& owner_;
};

} // namespace

IncrementalCheck::Result IncrementalCheck::checkAlone(Program& program, ast::File alone) {
  Borrowed borrowed(program, std::move(alone));
  DiagnosticEngine found;
  checkLoadedFile(borrowed.program, found);
  Result out;
  out.compiled = compileCleanRecipes(borrowed.program, found);
  out.diagnostics = found.diagnostics();
  return out;
}

void IncrementalCheck::noteForeign(Result& r, const DeclSpan& own,
                                   const SplitDocument& split) const {
  std::set<std::pair<uint64_t, uint32_t>> foreign;
  forEachRange(r.diagnostics, [&](SourceRange& range) {
    const uint32_t at = range.begin.offset;
    if (!range.valid() || range.begin.file != own.origin.file) return;
    if (at >= own.begin && at < own.end) return;
    std::pair<uint64_t, uint32_t> where{0, at}; // between declarations: never reused
    for (const DeclSpan& d : split.decls)
      if (at >= d.begin && at < d.end) where = {d.hash, static_cast<uint32_t>(d.begin)};
    foreign.insert(where);
  });
  r.foreign.assign(foreign.begin(), foreign.end());
}

bool IncrementalCheck::relocate(Result& r, const DeclSpan& now, const SplitDocument& split) const {
  if (r.origin.column != now.origin.column) return false;
  for (const auto& [hash, offset] : r.foreign) {
    bool still = false;
    for (const DeclSpan& d : split.decls)
      still |= d.hash == hash && d.begin == offset && hash != 0;
    if (!still) return false;
  }
  const uint32_t oldBegin = r.origin.offset;
  const int64_t lines = int64_t(now.origin.line) - r.origin.line;
  const int64_t bytes = int64_t(now.origin.offset) - r.origin.offset;
  if (lines == 0 && bytes == 0) return true;
  forEachRange(r.diagnostics, [&](SourceRange& range) {
    const uint32_t at = range.begin.offset;
    if (!range.valid() || range.begin.file != now.origin.file) return;
    if (at < oldBegin || at >= oldBegin + r.length) return;
    range.begin.line = static_cast<uint32_t>(range.begin.line + lines);
    range.begin.offset = static_cast<uint32_t>(at + bytes);
  });
  r.origin = now.origin;
  return true;
}

namespace {

// What every check can read besides its recipe: the document's other
// declarations, the stdlib and the imports.
uint64_t contextKey(const Program& program, const SplitDocument& split, const std::string& text,
                    const SourceManager& sources) {
  uint64_t context = hashText("");
  for (const DeclSpan& d : split.decls)
    if (!d.recipe) context = hashText(textOf(text, d), context);
  for (const auto& file : program.files) {
    if (file.get() == program.main) continue;
    context = hashText(file->path, context);
    if (const std::string* t = sources.text(file->path)) context = hashText(*t, context);
  }
  return context;
}

// A recipe's text and those of the recipes it extends in the document.
uint64_t recipeKey(const ast::File& main, const std::vector<const DeclSpan*>& spans,
                   const std::map<std::string, size_t>& byName, size_t i, const std::string& text,
                   uint64_t context) {
  uint64_t key = hashText(textOf(text, *spans[i]), context);
  std::set<std::string> chain{main.recipes[i].name.text};
  for (const ast::Recipe* at = &main.recipes[i]; at->base;) {
    auto base = byName.find(at->base->text);
    if (base == byName.end() || !chain.insert(at->base->text).second) break;
    key = hashText(textOf(text, *spans[base->second]), key);
    at = &main.recipes[base->second];
  }
  return key;
}

} // namespace

void IncrementalCheck::checkTogether(Program& program, const std::vector<size_t>& which,
                                     std::map<size_t, Result>& out) {
  const ast::File& main = *program.main; // the file itself stays while borrowed
  if (which.size() == 1) {
    ast::File alone;
    alone.path = main.path;
    alone.recipes.push_back(main.recipes[which[0]]);
    out[which[0]] = checkAlone(program, std::move(alone));
    return;
  }
  {
    ast::File together;
    together.path = main.path;
    for (size_t i : which)
      together.recipes.push_back(main.recipes[i]);
    Borrowed borrowed(program, std::move(together));
    DiagnosticEngine sema;
    checkLoadedFile(borrowed.program, sema);
    // Sema said nothing about any of them: each one's result is its compile.
    if (sema.diagnostics().empty()) {
      for (size_t i : which)
        out[i] = Result{};
      for (CompileOutcome& c : compileEachCleanRecipe(borrowed.program, sema))
        for (size_t i : which)
          if (main.recipes[i].name.text == c.recipe->recipe.name) {
            out[i].compiled = {c.recipe};
            out[i].diagnostics = std::move(c.diagnostics);
          }
      return;
    }
  }
  // Which recipe said what is found by halving.
  const auto half = which.begin() + static_cast<std::ptrdiff_t>(which.size() / 2);
  checkTogether(program, std::vector<size_t>(which.begin(), half), out);
  checkTogether(program, std::vector<size_t>(half, which.end()), out);
}

const IncrementalCheck::Result* IncrementalCheck::declarations(Program& program,
                                                               const SplitDocument& split,
                                                               const std::string& text,
                                                               uint64_t context) {
  const ast::File& main = *program.main;
  if (main.models.empty() && main.tasks.empty() && main.studies.empty() && main.methods.empty()) {
    declarations_.reset();
    return nullptr;
  }
  // Where they stand is part of the key; studies also read recipes.
  uint64_t key = context;
  for (const DeclSpan& d : split.decls)
    if (!d.recipe)
      key = hashText(std::to_string(d.origin.line) + ":" + std::to_string(d.origin.offset), key);
  if (!main.studies.empty()) key = hashText(text, key);
  if (!declarations_ || declarations_->key != key) {
    ast::File alone;
    alone.path = main.path;
    alone.models = main.models;
    alone.tasks = main.tasks;
    alone.studies = main.studies;
    alone.methods = main.methods;
    declarations_ = checkAlone(program, std::move(alone));
    declarations_->key = key;
    ++checks_;
  }
  return &*declarations_;
}

std::vector<CompiledRecipePtr> IncrementalCheck::run(Program& program, const SplitDocument& split,
                                                     const std::string& text,
                                                     const SourceManager& sources,
                                                     DiagnosticEngine& diags) {
  const ast::File& main = *program.main;
  std::vector<const DeclSpan*> spans; // of main.recipes, in order
  for (const DeclSpan& d : split.decls)
    if (d.recipe) spans.push_back(&d);
  const uint64_t context = contextKey(program, split, text, sources);
  std::map<std::string, size_t> byName;
  bool duplicates = false;
  for (size_t i = 0; i < main.recipes.size(); ++i)
    duplicates |= !byName.emplace(main.recipes[i].name.text, i).second;
  if (duplicates) recipes_.clear(); // names no longer say which result is whose

  std::set<DiagKey> seen;
  for (const Diagnostic& d : diags.diagnostics())
    seen.insert(keyOf(d));
  std::vector<CompiledRecipePtr> compiled;
  auto take = [&](const Result& r) {
    for (const Diagnostic& d : r.diagnostics)
      if (seen.insert(keyOf(d)).second) diags.report(d.id, d.range, d.message) = d;
    compiled.insert(compiled.end(), r.compiled.begin(), r.compiled.end());
  };
  if (const Result* r = declarations(program, split, text, context)) take(*r);

  // Reuse what still holds; check the rest together.
  const size_t n = std::min(main.recipes.size(), spans.size());
  std::vector<uint64_t> keys(n);
  std::map<size_t, Result> results;
  std::vector<size_t> dirty;
  for (size_t i = 0; i < n; ++i) {
    keys[i] = recipeKey(main, spans, byName, i, text, context);
    auto old = recipes_.find(main.recipes[i].name.text);
    if (!duplicates && old != recipes_.end() && old->second.key == keys[i] &&
        relocate(old->second, *spans[i], split))
      results[i] = std::move(old->second);
    else
      dirty.push_back(i);
  }
  if (!dirty.empty()) checkTogether(program, dirty, results);
  checks_ += dirty.size();
  for (size_t i : dirty) {
    Result& r = results[i];
    r.key = keys[i];
    r.origin = spans[i]->origin;
    r.length = spans[i]->end - spans[i]->begin;
    noteForeign(r, *spans[i], split);
  }

  std::map<std::string, Result> next;
  for (auto& [i, result] : results) {
    take(result);
    if (!duplicates) next[main.recipes[i].name.text] = std::move(result);
  }
  recipes_ = std::move(next);
  return compiled;
}

} // namespace fiver::lsp
