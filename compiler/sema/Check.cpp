// Recipe checking: resolves `extends`, settings, triples and methods into a
// CheckedRecipe, reporting every problem at the span that caused it. The
// checker itself is in check/; this file loads programs and picks what to check.
#include "compiler/sema/Check.h"

#include "compiler/frontend/Parser.h"
#include "compiler/sema/Program.h"
#include "compiler/sema/check/RecipeChecker.h"

#include <cstdlib>
#include <set>
#include <tuple>

namespace fiver {

namespace {

using check::RecipeChecker;

std::vector<ast::RecipeItem> parseOverrides(const CheckRequest& request, SourceManager& sources,
                                            DiagnosticEngine& diags) {
  std::vector<ast::RecipeItem> items;
  for (size_t i = 0; i < request.overrides.size(); ++i) {
    std::string name = "<override " + std::to_string(i + 1) + ">";
    sources.add(name, request.overrides[i]);
    if (auto item = parseRecipeItem(name, request.overrides[i], diags))
      items.push_back(std::move(*item));
  }
  for (const std::string& drop : request.drops) {
    ast::RecipeItem item;
    item.kind = ast::RecipeItem::Kind::Drop;
    item.key.text = drop;
    sources.add("<drop " + drop + ">", drop);
    item.key.range.begin = {"<drop " + drop + ">", 1, 1, 0};
    item.key.range.length = static_cast<uint32_t>(drop.size());
    items.push_back(std::move(item));
  }
  return items;
}

// The loaded file that `range` points into, if any.
const ast::File* fileOf(const Program& program, const SourceRange& range) {
  for (const auto& f : program.files)
    if (f->path == range.begin.file) return f.get();
  return nullptr;
}

// Whether `range` lies in a declaration that lost items to syntax errors.
bool inDamagedDeclaration(const Program& program, const SourceRange& range) {
  const ast::File* f = fileOf(program, range);
  if (!f) return false;
  for (const SourceRange& d : f->damaged)
    if (range.begin.offset >= d.begin.offset && range.begin.offset < d.begin.offset + d.length)
      return true;
  return false;
}

// Sema reads only complete syntax trees: after a syntax error or a missing
// import, further diagnostics would mostly be echoes of the first one. Name
// clashes are not fatal: the first definition is kept and checking goes on.
// With `acceptRecovered`, a file whose syntax errors the parser skipped over
// is checked (`5rc check`, the editor), its damaged declarations excepted.
bool loadFailed(const Program& program, const DiagnosticEngine& diags,
                bool acceptRecovered = false) {
  if (!program.main) return true;
  for (const Diagnostic& d : diags.diagnostics()) {
    switch (d.id) {
    case DiagId::SyntaxError:
      if (acceptRecovered) {
        const ast::File* f = fileOf(program, d.range);
        if (f && f->recovered) break;
      }
      return true;
    case DiagId::UnterminatedString:
    case DiagId::ImportNotFound:
    case DiagId::InvalidNumber:
      return true;
    default:
      break;
    }
  }
  return false;
}

} // namespace

std::string resolveStdlibDir(const std::string& requested) {
  if (!requested.empty()) return requested;
  if (const char* env = std::getenv("FIVER_STDLIB"); env && *env) return env;
  return FIVER_STDLIB_DIR;
}

std::optional<CheckedRecipe> checkRecipe(const CheckRequest& request, SourceManager& sources,
                                         DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  if (loadFailed(program, diags)) return std::nullopt;
  const ast::Recipe* recipe = nullptr;
  if (request.recipe.empty()) {
    if (!program.main->recipes.empty()) recipe = &program.main->recipes.back();
  } else if (auto it = program.recipes.find(request.recipe); it != program.recipes.end()) {
    recipe = it->second;
  }
  if (!recipe) {
    diags.report(DiagId::UnknownRecipe, {},
                 request.recipe.empty() ? request.path + " declares no recipe"
                                        : "no recipe named '" + request.recipe + "'");
    return std::nullopt;
  }
  size_t errorsBeforeOverrides = diags.errorCount();
  std::vector<ast::RecipeItem> overrides = parseOverrides(request, sources, diags);
  if (diags.errorCount() != errorsBeforeOverrides) return std::nullopt;
  RecipeChecker checker(program, diags);
  std::optional<CheckedRecipe> out = checker.check(*recipe, overrides);
  if (diags.hasErrors()) return std::nullopt; // also name clashes found while loading
  if (out) {
    out->file = request.path;
    out->provenance = request.overrides;
    for (const std::string& d : request.drops)
      out->provenance.push_back("drop " + d);
  }
  return out;
}

bool checkFile(const CheckRequest& request, SourceManager& sources, DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  return checkLoadedFile(program, diags);
}

bool checkLoadedFile(const Program& program, DiagnosticEngine& diags) {
  if (loadFailed(program, diags, true)) return false;
  // Declarations are checked on their own and again where recipes use them:
  // collect separately and forward each distinct diagnostic once.
  DiagnosticEngine local;
  RecipeChecker checker(program, local);
  for (const ast::TaskDecl& t : program.main->tasks) {
    TaskSpec ignored;
    checker.checkTaskDecl(t, ignored);
  }
  for (const ast::ModelDecl& m : program.main->models)
    checker.checkModelDecl(m);
  for (const ast::Recipe& r : program.main->recipes)
    checker.check(r, {});
  for (const ast::StudyDecl& s : program.main->studies)
    checkStudyDecl(s, program, local);
  std::set<std::tuple<int, std::string, uint32_t, uint32_t, std::string>> seen;
  for (const Diagnostic& d : local.diagnostics()) {
    const SourceLoc& at = d.range.begin;
    if (!seen.emplace(static_cast<int>(d.id), at.file, at.offset, d.range.length, d.message).second)
      continue;
    if (inDamagedDeclaration(program, d.range)) continue; // echoes of its syntax errors
    diags.report(d.id, d.range, d.message) = d;
  }
  return !diags.hasErrors();
}

std::vector<CheckedRecipe> cleanRecipesOf(const Program& program, const DiagnosticEngine& loaded) {
  std::vector<CheckedRecipe> out;
  if (loadFailed(program, loaded, true)) return out;
  DiagnosticEngine reported; // already reported by checkLoadedFile
  RecipeChecker checker(program, reported);
  for (const ast::Recipe& r : program.main->recipes) {
    if (inDamagedDeclaration(program, r.name.range)) continue;
    std::optional<CheckedRecipe> checked = checker.check(r, {});
    if (!checked) continue;
    checked->file = program.main->path;
    out.push_back(std::move(*checked));
  }
  return out;
}

std::optional<CheckedStudy> checkStudy(const CheckRequest& request, SourceManager& sources,
                                       DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  if (loadFailed(program, diags)) return std::nullopt;
  const ast::StudyDecl* decl = nullptr;
  if (request.recipe.empty()) {
    if (!program.main->studies.empty()) decl = &program.main->studies.back();
  } else if (auto it = program.studies.find(request.recipe); it != program.studies.end()) {
    decl = it->second;
  }
  if (!decl) {
    diags.report(DiagId::UnknownRecipe, {},
                 request.recipe.empty() ? request.path + " declares no study"
                                        : "no study named '" + request.recipe + "'");
    return std::nullopt;
  }
  std::optional<CheckedStudy> study = checkStudyDecl(*decl, program, diags);
  if (!study) return std::nullopt;
  RecipeChecker checker(program, diags);
  for (const std::string& name : study->recipes)
    checker.check(*program.recipes.at(name), {});
  if (diags.hasErrors()) return std::nullopt;
  study->file = request.path;
  return study;
}

} // namespace fiver
