#include "compiler/sema/ParseCache.h"

#include "compiler/frontend/Parser.h"
#include "compiler/support/Fnv.h"

namespace fiver {

ast::File ParseCache::parse(const std::string& path, const std::string& text,
                            DiagnosticEngine& diags) {
  uint64_t hash = fnv1a(text);
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
  // Program.cpp's loader, the one `5rc` uses, with parsing routed through
  // this cache: the same files, order, limits and diagnostics.
  return loadProgram(path, text, stdlibDir, sources, diags,
                     [this](const std::string& file, const std::string& source,
                            DiagnosticEngine& out) { return parse(file, source, out); });
}

} // namespace fiver
