#include "editor/server/Analysis.h"

#include "compiler/sema/Check.h"

#include <algorithm>
#include <filesystem>

namespace fiver::lsp {

std::shared_ptr<const Analysis>
Analysis::build(const std::string& path, const std::string& text, const std::string& stdlibDir,
                const std::map<std::string, std::string>& openBuffers, ParseCache& cache,
                DocumentCaches* document) {
  std::shared_ptr<Analysis> a(new Analysis());
  a->path_ = path;
  a->text_ = text;
  a->stdlibDir_ = resolveStdlibDir(stdlibDir);
  a->lines_ = std::make_unique<LineIndex>(a->text_);
  for (const auto& [other, buffer] : openBuffers)
    if (other != path) a->sources_.add(other, buffer);

  // One load serves both the check and navigation, which reads the AST.
  if (!document || !a->loadByRecipe(cache, *document)) {
    a->program_ = cache.load(path, text, a->stdlibDir_, a->sources_, a->diagnostics_);
    checkLoadedFile(a->program_, a->diagnostics_);
    // Shapes, pass preconditions and the plan: what `5rc compile` would report.
    a->compiled_ = compileCleanRecipes(a->program_, a->diagnostics_);
  }
  for (const auto& file : a->program_.files)
    a->occurrences_[file->path] = indexFile(*file, a->program_);
  a->occurrences_[path]; // present even when the document did not parse
  return a;
}

const CompiledRecipe* Analysis::compiled(const std::string& recipe) const {
  for (const CompiledRecipePtr& c : compiled_)
    if (c->recipe.name == recipe) return c.get();
  return nullptr;
}

bool Analysis::loadByRecipe(ParseCache& cache, DocumentCaches& document) {
  SplitDocument split = splitDocument(path_, text_);
  // Many new recipes (a document just opened, a large paste): one parse.
  constexpr size_t kManyNew = 8;
  if (document.recipes.misses(text_, split) > kManyNew &&
      !document.recipes.fill(path_, text_, split))
    return false;
  std::vector<ast::Recipe> recipes;
  bool whole = true;
  for (const DeclSpan& d : split.decls) {
    if (!d.recipe) continue;
    std::optional<ast::Recipe> r =
        document.recipes.recipeAt(path_, text_.substr(d.begin, d.end - d.begin), d.origin);
    if (!r) {
      whole = false;
      break;
    }
    recipes.push_back(std::move(*r));
  }
  document.recipes.sweep();
  if (!whole) return false;

  // The rest of the document, recipes blanked: its imports, models, tasks.
  DiagnosticEngine loaded;
  SourceManager sources = sources_;
  Program program = cache.load(path_, split.blanked, stdlibDir_, sources, loaded);
  if (loaded.hasErrors() || !program.main) return false;
  for (auto& file : program.files)
    if (file.get() == program.main) file->recipes = std::move(recipes);
  program.recipes.clear();
  program.methods.clear();
  program.models.clear();
  program.tasks.clear();
  program.studies.clear();
  declareNames(program, hashText(text_, std::stoull(program.sourceHash, nullptr, 16)), loaded);
  sources.add(path_, text_);

  program_ = std::move(program);
  sources_ = std::move(sources);
  for (const Diagnostic& d : loaded.diagnostics())
    diagnostics_.report(d.id, d.range, d.message) = d;
  compiled_ = document.checks.run(program_, split, text_, sources_, diagnostics_);
  return true;
}

// The stdlib is its folder and the method folders' declarations: the files
// the loader reads before the document.
bool Analysis::isStdlibFile(const std::string& file) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path f = fs::weakly_canonical(file, ec);
  for (const std::string& s : stdlibFiles(stdlibDir_))
    if (fs::weakly_canonical(s, ec) == f) return true;
  return false;
}

Range Analysis::rangeOf(const SourceRange& r) const {
  if (!r.valid()) return {};
  if (r.begin.file == path_ || r.begin.file.empty()) return lines_->rangeOf(r);
  auto it = otherLines_.find(r.begin.file);
  if (it == otherLines_.end()) {
    const std::string* text = sources_.text(r.begin.file);
    if (!text)
      return {
          {static_cast<int>(r.begin.line) - 1, static_cast<int>(r.begin.column) - 1},
          {static_cast<int>(r.begin.line) - 1, static_cast<int>(r.begin.column - 1 + r.length)}};
    it = otherLines_.emplace(r.begin.file, LineIndex(*text)).first;
  }
  return it->second.rangeOf(r);
}

} // namespace fiver::lsp
