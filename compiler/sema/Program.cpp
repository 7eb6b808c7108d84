#include "compiler/sema/Program.h"

#include "compiler/frontend/Parser.h"
#include "compiler/support/Fnv.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace fiver {

namespace {

std::string canonical(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

template <typename Decl>
void declare(std::map<std::string, const Decl*>& table, const Decl& decl, const char* kind,
             DiagnosticEngine& diags) {
  auto [it, inserted] = table.emplace(decl.name.text, &decl);
  if (inserted) return;
  Diagnostic& d = diags.report(DiagId::DuplicateDefinition, decl.name.range,
                               std::string(kind) + " '" + decl.name.text + "' is defined twice");
  d.notes.push_back({it->second->name.range, "first defined here"});
}

// Each import level is one recursive load; cycles stop at the first file seen
// twice, and this bounds a long acyclic chain.
constexpr size_t kMaxImportDepth = 64;

// The one loader behind `5rc` and the language server; only how a file's
// text becomes an AST differs (the server reuses unchanged files' ASTs).
class Loader {
public:
  Loader(Program& program, SourceManager& sources, DiagnosticEngine& diags, const FileParser& parse)
      : program_(program), sources_(sources), diags_(diags), parse_(parse) {}

  // Loads one file (unless already loaded) and, recursively, its imports;
  // `depth` counts the imports that led here.
  const ast::File* load(const std::string& path, const std::optional<std::string>& text,
                        SourceRange importedFrom, size_t depth = 0) {
    if (depth > kMaxImportDepth) {
      diags_.report(DiagId::NestingTooDeep, importedFrom,
                    "imports nested more than " + std::to_string(kMaxImportDepth) + " deep");
      return nullptr;
    }
    if (!seen_.insert(canonical(path)).second) return nullptr;
    if (text) {
      sources_.add(path, *text);
    } else if (std::string why; !sources_.text(path) && !sources_.load(path, &why)) {
      diags_.report(DiagId::ImportNotFound, importedFrom, "cannot read '" + path + "': " + why);
      return nullptr;
    }
    const std::string& source = *sources_.text(path);
    hash_ = fnv1a(source, hash_); // contents only: the same recipe hashes alike anywhere
    auto file = std::make_unique<ast::File>(parse_(path, source, diags_));
    const ast::File* raw = file.get();
    program_.files.push_back(std::move(file));
    for (const ast::Import& imp : raw->imports) {
      fs::path target = fs::path(path).parent_path() / imp.path;
      load(target.lexically_normal().string(), std::nullopt, imp.range, depth + 1);
    }
    return raw;
  }

  uint64_t hash() const { return hash_; }

private:
  Program& program_;
  SourceManager& sources_;
  DiagnosticEngine& diags_;
  const FileParser& parse_;
  std::set<std::string> seen_;
  uint64_t hash_ = kFnvOffsetBasis;
};

} // namespace

void declareNames(Program& program, uint64_t sourceHash, DiagnosticEngine& diags) {
  for (const auto& file : program.files) {
    for (const ast::Recipe& r : file->recipes)
      declare(program.recipes, r, "recipe", diags);
    for (const ast::MethodDecl& m : file->methods)
      declare(program.methods, m, "method", diags);
    for (const ast::ModelDecl& m : file->models)
      declare(program.models, m, "model", diags);
    for (const ast::TaskDecl& t : file->tasks)
      declare(program.tasks, t, "task", diags);
    for (const ast::StudyDecl& s : file->studies)
      declare(program.studies, s, "study", diags);
  }
  program.sourceHash = fnvHex(sourceHash);
}

namespace {

// The folder's *.5r files, sorted.
std::vector<std::string> sortedSources(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".5r") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

std::vector<std::string> stdlibFiles(const std::string& dir) {
  std::vector<std::string> files = sortedSources(dir);
  // Each method declares itself in its own folder, methods/<name>/<name>.5r,
  // beside the stdlib folder; folders load in name order.
  fs::path stdlib = fs::path(dir).lexically_normal();
  if (!stdlib.has_filename()) stdlib = stdlib.parent_path(); // "stdlib/"
  const fs::path methods = stdlib.parent_path() / "methods";
  std::error_code ec;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(methods, ec))
    if (entry.is_directory()) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders)
    for (std::string& f : sortedSources(folder))
      files.push_back(std::move(f));
  return files;
}

std::vector<std::string> Program::methodNames() const {
  std::vector<std::string> names;
  for (const auto& [name, decl] : methods)
    names.push_back(name);
  return names;
}

Program loadProgram(const std::string& path, const std::optional<std::string>& text,
                    const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags) {
  return loadProgram(path, text, stdlibDir, sources, diags, parseFile);
}

Program loadProgram(const std::string& path, const std::optional<std::string>& text,
                    const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags,
                    const FileParser& parse) {
  Program program;
  Loader loader(program, sources, diags, parse);
  std::string mainKey = canonical(path);
  for (const std::string& f : stdlibFiles(stdlibDir)) {
    // A stdlib file being checked itself is loaded once, as the main file.
    if (canonical(f) == mainKey) continue;
    loader.load(f, std::nullopt, {});
  }
  program.main = loader.load(path, text, {});

  declareNames(program, loader.hash(), diags);
  return program;
}

} // namespace fiver
