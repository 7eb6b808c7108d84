#include "compiler/sema/ParseCache.h"

#include "compiler/frontend/Parser.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace fiver {

namespace {

uint64_t fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}
constexpr uint64_t kFnvBasis = 14695981039346656037ULL;

std::string canonical(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

// Mirrors loadProgram's loader (Program.cpp) with parsing routed through the
// cache; the order of files and of diagnostics is the same.
class CachedLoader {
public:
  CachedLoader(ParseCache& cache, Program& program, SourceManager& sources, DiagnosticEngine& diags)
      : cache_(cache), program_(program), sources_(sources), diags_(diags) {}

  const ast::File* load(const std::string& path, const std::optional<std::string>& text,
                        SourceRange importedFrom) {
    if (!seen_.insert(canonical(path)).second) return nullptr;
    if (text) {
      sources_.add(path, *text);
    } else if (std::string why; !sources_.text(path) && !sources_.load(path, &why)) {
      diags_.report(DiagId::ImportNotFound, importedFrom, "cannot read '" + path + "': " + why);
      return nullptr;
    }
    const std::string& source = *sources_.text(path);
    hash_ = fnv1a(hash_, source);
    auto file = std::make_unique<ast::File>(cache_.parse(path, source, diags_));
    const ast::File* raw = file.get();
    program_.files.push_back(std::move(file));
    for (const ast::Import& imp : raw->imports) {
      fs::path target = fs::path(path).parent_path() / imp.path;
      load(target.lexically_normal().string(), std::nullopt, imp.range);
    }
    return raw;
  }

  uint64_t hash() const { return hash_; }

private:
  ParseCache& cache_;
  Program& program_;
  SourceManager& sources_;
  DiagnosticEngine& diags_;
  std::set<std::string> seen_;
  uint64_t hash_ = kFnvBasis;
};

} // namespace

ast::File ParseCache::parse(const std::string& path, const std::string& text,
                            DiagnosticEngine& diags) {
  uint64_t hash = fnv1a(kFnvBasis, text);
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.hash != hash || it->second.size != text.size()) {
    DiagnosticEngine local;
    Entry entry{hash, text.size(), parseFile(path, text, local), local.diagnostics()};
    ++parses_;
    it = entries_.insert_or_assign(path, std::move(entry)).first;
  }
  for (const Diagnostic& d : it->second.diagnostics)
    diags.report(d.id, d.range, d.message) = d;
  return it->second.file;
}

Program ParseCache::load(const std::string& path, const std::optional<std::string>& text,
                         const std::string& stdlibDir, SourceManager& sources,
                         DiagnosticEngine& diags) {
  Program program;
  CachedLoader loader(*this, program, sources, diags);
  std::string mainKey = canonical(path);
  for (const std::string& f : stdlibFiles(stdlibDir)) {
    if (canonical(f) == mainKey) continue; // a stdlib file being checked is the main file
    loader.load(f, std::nullopt, {});
  }
  program.main = loader.load(path, text, {});

  declareNames(program, loader.hash(), diags);
  return program;
}

} // namespace fiver
