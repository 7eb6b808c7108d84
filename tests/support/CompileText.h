// Test helpers: check and compile recipe text held in memory, against the
// source tree's standard library.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/pipeline/Compile.h"
#include "compiler/sema/Check.h"

#include <optional>
#include <sstream>
#include <string>

namespace fiver::test {

struct CheckOutcome {
  std::optional<CheckedRecipe> recipe;
  DiagnosticEngine diags;
  SourceManager sources;

  std::string rendered() const {
    std::ostringstream os;
    renderDiagnostics(os, diags, sources);
    return os.str();
  }
  bool has(DiagId id) const {
    for (const Diagnostic& d : diags.diagnostics())
      if (d.id == id) return true;
    return false;
  }
  const Diagnostic* first(DiagId id) const {
    for (const Diagnostic& d : diags.diagnostics())
      if (d.id == id) return &d;
    return nullptr;
  }
};

inline std::string stdlibDir() {
  return FIVER_TEST_SOURCE_DIR "/stdlib";
}
inline std::string sourceDir() {
  return FIVER_TEST_SOURCE_DIR;
}

inline CheckOutcome checkText(const std::string& text, const std::string& path = "test.5r") {
  CheckOutcome out;
  CheckRequest req;
  req.path = path;
  req.text = text;
  req.stdlibDir = stdlibDir();
  out.recipe = checkRecipe(req, out.sources, out.diags);
  return out;
}

inline std::optional<plan::Plan> compileText(const std::string& text, DiagnosticEngine& diags,
                                             const CompileOptions& options = {}) {
  SourceManager sources;
  CheckRequest req;
  req.path = "test.5r";
  req.text = text;
  req.stdlibDir = stdlibDir();
  std::optional<CheckedRecipe> r = checkRecipe(req, sources, diags);
  if (!r) return std::nullopt;
  return compileRecipe(*r, options, diags);
}

// A complete recipe around extra lines, so each test states only what it is about.
inline std::string recipeWith(const std::string& lines,
                              const std::string& model = "small_cnn(width: 8)") {
  return "recipe t {\n"
         "  task fashion_mnist\n"
         "  model " +
         model +
         "\n"
         "  budget 2 epochs\n" +
         lines + "}\n";
}

} // namespace fiver::test
