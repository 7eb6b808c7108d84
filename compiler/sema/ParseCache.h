// Parsed files kept between checks, keyed by path and content hash, so an
// editor re-checking one changed document parses only that document: the
// standard library and unchanged imports are copied from the cache, which
// is several times cheaper than running the parser again.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/frontend/Ast.h"
#include "compiler/sema/Program.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

class ParseCache {
public:
  // What loadProgram returns for the same arguments (same files, order,
  // tables, diagnostics and source hash), parsing only files whose text is
  // not in the cache. One entry per path: a changed file replaces its entry.
  Program load(const std::string& path, const std::optional<std::string>& text,
               const std::string& stdlibDir, SourceManager& sources, DiagnosticEngine& diags);

  // The AST of `text` as file `path`, parse diagnostics reported to `diags`.
  ast::File parse(const std::string& path, const std::string& text, DiagnosticEngine& diags);

  size_t parses() const { return parses_; } // files actually parsed so far

private:
  struct Entry {
    uint64_t hash = 0;
    size_t size = 0;
    ast::File file;
    std::vector<Diagnostic> diagnostics;
  };
  std::map<std::string, Entry> entries_;
  size_t parses_ = 0;
};

} // namespace fiver
