// Reading a method's parameters in a pass. Sema has filled in every declared
// parameter's default, so the fallbacks only matter for hand-built graphs.
#pragma once

#include "compiler/sema/CheckedRecipe.h"

#include <string>

namespace fiver::passes {

// A number; percentages come back as fractions (75% -> 0.75).
inline double numberParam(const MethodUse& m, const char* key, double fallback) {
  auto it = m.params.find(key);
  return it == m.params.end() ? fallback : it->second.asFraction();
}

inline bool flagParam(const MethodUse& m, const char* key, bool fallback) {
  auto it = m.params.find(key);
  return it == m.params.end() ? fallback : it->second.boolean;
}

inline std::string textParam(const MethodUse& m, const char* key, const std::string& fallback) {
  auto it = m.params.find(key);
  return it == m.params.end() || it->second.text.empty() ? fallback : it->second.text;
}

// Where a diagnostic about one parameter belongs: at its argument when the
// recipe wrote it, else at the method (the default was taken).
inline SourceRange argRange(const MethodUse& m, const char* key) {
  auto it = m.argWhere.find(key);
  return it == m.argWhere.end() ? m.where : it->second;
}

} // namespace fiver::passes
