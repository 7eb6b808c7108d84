#include "compiler/composer/ComposerImport.h"

#include "compiler/composer/AlgorithmMapping.h"
#include "compiler/composer/RecipeWriter.h"
#include "compiler/composer/TrainerMapping.h"
#include "compiler/format/Formatter.h"
#include "compiler/pipeline/PipelineCheck.h"
#include "compiler/sema/Check.h"
#include "compiler/support/AtomicFile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace fiver::composer {

namespace {

// The stdlib's methods by name; they point into `program`.
std::map<std::string, MethodSignature> loadMethods(const std::string& stdlibDir, Program& program,
                                                   SourceManager& sources) {
  DiagnosticEngine ignored; // the stdlib's own diagnostics belong to `5rc check`
  program = loadProgram("<composer-import>", std::string(), stdlibDir, sources, ignored);
  std::map<std::string, MethodSignature> out;
  for (const auto& [name, decl] : program.methods)
    if (auto sig = checkMethodDecl(*decl, ignored)) out.emplace(name, std::move(*sig));
  return out;
}

// The YAML file's stem as a recipe name: letters, digits and underscores,
// never a digit first, never the base's name.
std::string recipeNameFor(const std::string& yamlPath, const std::string& baseName) {
  std::string name;
  for (char c : fs::path(yamlPath).stem().string())
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "composer_" + name;
  if (name == baseName) name += "_composer";
  return name;
}

// Where the written recipe lives (the import path is relative to it).
fs::path outputFile(const ComposerImportOptions& o, const std::string& name) {
  if (o.outputPath.empty() || o.outputPath == "-") return fs::absolute(name + ".5r");
  return fs::absolute(o.outputPath);
}

// Methods the base applies and the Composer config does not are dropped, so
// the recipe runs Composer's algorithms only; mixed precision follows
// Composer's `precision` key when there is one.
void dropBaseOnlyMethods(const CheckedRecipe& base, bool precisionGiven, ImportedRecipe& out) {
  for (const MethodUse& use : base.methods) {
    const bool imported = std::any_of(out.methods.begin(), out.methods.end(),
                                      [&](const MethodLine& m) { return m.method == use.name; });
    const bool dropped = std::find(out.drops.begin(), out.drops.end(), use.name) != out.drops.end();
    if (imported || dropped) continue;
    if (use.name == "mixed_precision" && !precisionGiven) {
      out.decisions.push_back("kept the base's mixed_precision: the config sets no precision");
      continue;
    }
    out.drops.push_back(use.name);
    out.decisions.push_back("drop " + use.name + ": the base applies it, the config does not");
  }
}

// The base's file as the written recipe imports it: relative to the recipe's
// folder when the two share a folder below the root, else absolute.
std::string importPath(const std::string& basePath, const fs::path& recipeFile) {
  const fs::path base = fs::absolute(basePath).lexically_normal();
  const fs::path dir = recipeFile.parent_path().lexically_normal();
  auto b = base.begin(), d = dir.begin();
  size_t shared = 0;
  for (; b != base.end() && d != dir.end() && *b == *d; ++b, ++d)
    ++shared;
  return shared > 1 ? base.lexically_relative(dir).string() : base.string();
}

std::optional<CheckedRecipe> checkBase(const ComposerImportOptions& o, const std::string& path,
                                       SourceManager& sources, DiagnosticEngine& diags) {
  CheckRequest req;
  req.path = path;
  req.stdlibDir = o.stdlibDir;
  std::optional<CheckedRecipe> base = checkRecipe(req, sources, diags);
  if (diags.hasErrors()) return std::nullopt;
  return base;
}

// Maps the YAML's keys into `out`; false when the YAML cannot be read.
bool mapConfig(const YamlSource& yaml, const std::map<std::string, MethodSignature>& methods,
               const CheckedRecipe& base, DiagnosticEngine& diags, ImportedRecipe& out) {
  std::optional<YAML::Node> root = yaml.parse(diags);
  if (!root) return false;
  if (!root->IsMap()) {
    diags.report(DiagId::ComposerValue, yaml.rangeOf(*root),
                 "a Composer config is a map of trainer keys (algorithms, max_duration, ...)");
    return false;
  }
  const RunLength run = runLengthOf(*root, base);
  const MappingContext cx{yaml, methods, run, diags};
  mapTrainerKeys(*root, cx, base, out);
  mapAlgorithms((*root)["algorithms"], cx, out);
  dropBaseOnlyMethods(base, static_cast<bool>((*root)["precision"]), out);
  return true;
}

} // namespace

std::optional<std::string> importComposer(const ComposerImportOptions& o, SourceManager& sources,
                                          DiagnosticEngine& diags) {
  const std::string stdlibDir = resolveStdlibDir(o.stdlibDir);
  const std::string basePath =
      o.extendsPath.empty() ? (fs::path(stdlibDir) / "../recipes/fmnist/baseline.5r").string()
                            : o.extendsPath;
  std::string why;
  if (!sources.load(o.yamlPath, &why)) {
    SourceRange nowhere;
    nowhere.begin.file = o.yamlPath;
    diags.report(DiagId::ComposerYamlSyntax, nowhere, "cannot read " + o.yamlPath + ": " + why);
    return std::nullopt;
  }
  std::optional<CheckedRecipe> base = checkBase(o, basePath, sources, diags);
  if (!base) return std::nullopt;
  Program program;
  const std::map<std::string, MethodSignature> methods = loadMethods(stdlibDir, program, sources);

  ImportedRecipe recipe;
  recipe.source = fs::path(o.yamlPath).filename().string();
  recipe.base = base->name;
  recipe.name = recipeNameFor(o.yamlPath, base->name);
  const fs::path out = outputFile(o, recipe.name);
  recipe.baseImport = importPath(basePath, out);
  const YamlSource yaml(o.yamlPath, *sources.text(o.yamlPath));
  if (!mapConfig(yaml, methods, *base, diags, recipe) || diags.hasErrors()) return std::nullopt;

  std::string text = writeRecipe(recipe);
  if (std::optional<std::string> formatted = formatSource(out.string(), text, diags))
    text = *formatted;
  CheckRequest req;
  req.path = out.string();
  req.text = text;
  req.stdlibDir = o.stdlibDir;
  checkFileThroughCompile(req, sources, diags);
  if (diags.hasErrors()) return std::nullopt;
  return text;
}

int runComposerImport(const ComposerImportOptions& o, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  DiagnosticEngine diags;
  std::optional<std::string> text = importComposer(o, sources, diags);
  renderDiagnostics(err, diags, sources);
  if (!text) {
    err << "5rc import composer: no recipe written\n";
    return 1;
  }
  if (o.outputPath.empty() || o.outputPath == "-") {
    out << *text;
  } else if (!writeFileAtomically(o.outputPath, *text)) {
    err << "5rc: error: cannot write " << o.outputPath << "\n";
    return 1;
  }
  return 0;
}

} // namespace fiver::composer
