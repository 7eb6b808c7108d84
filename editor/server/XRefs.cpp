#include "editor/server/XRefs.h"

#include "editor/server/Uri.h"

#include <cctype>

namespace fiver::lsp {

namespace {

const Occurrence* symbolAt(const Analysis& analysis, Position position) {
  return occurrenceAt(analysis.occurrences(), analysis.lines().offsetAt(position));
}

Location locationOf(const Analysis& analysis, const Occurrence& o) {
  const std::string& file = o.range.begin.file.empty() ? analysis.path() : o.range.begin.file;
  return {uriFromPath(file), analysis.rangeOf(o.range)};
}

template <typename Visit>
void forEachSame(const Analysis& analysis, const Occurrence& o, Visit visit) {
  for (const auto& [file, list] : analysis.allOccurrences())
    for (const Occurrence& other : list)
      if (sameSymbol(o, other)) visit(other);
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

} // namespace

std::vector<Location> definition(const Analysis& analysis, Position position) {
  std::vector<Location> out;
  const Occurrence* o = symbolAt(analysis, position);
  if (!o) return out;
  forEachSame(analysis, *o, [&](const Occurrence& other) {
    if (other.declaration) out.push_back(locationOf(analysis, other));
  });
  return out;
}

std::vector<Location> references(const Analysis& analysis, Position position,
                                 bool includeDeclaration) {
  std::vector<Location> out;
  const Occurrence* o = symbolAt(analysis, position);
  if (!o) return out;
  forEachSame(analysis, *o, [&](const Occurrence& other) {
    if (includeDeclaration || !other.declaration) out.push_back(locationOf(analysis, other));
  });
  return out;
}

WorkspaceEdit rename(const Analysis& analysis, Position position, const std::string& newName) {
  const Occurrence* o = symbolAt(analysis, position);
  if (!o) throw LspError{ErrorCode::RequestFailed, "nothing to rename here"};
  if (!isIdentifier(newName))
    throw LspError{ErrorCode::InvalidParams, "'" + newName + "' is not a valid name"};
  const Occurrence* decl = nullptr;
  forEachSame(analysis, *o, [&](const Occurrence& other) {
    if (other.declaration) decl = &other;
  });
  if (!decl)
    throw LspError{ErrorCode::RequestFailed, "'" + o->name + "' is built in and cannot be renamed"};
  if (analysis.isStdlibFile(decl->range.begin.file))
    throw LspError{ErrorCode::RequestFailed,
                   "'" + o->name + "' is declared in the standard library and cannot be renamed"};
  WorkspaceEdit edit;
  forEachSame(analysis, *o, [&](const Occurrence& other) {
    Location l = locationOf(analysis, other);
    edit.changes[l.uri].push_back({l.range, newName});
  });
  return edit;
}

} // namespace fiver::lsp
