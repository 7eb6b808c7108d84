#include "compiler/pipeline/PipelineCheck.h"

#include "compiler/pipeline/Compile.h"

#include <set>
#include <tuple>

namespace fiver {

namespace {
using DiagKey = std::tuple<int, std::string, uint32_t, uint32_t, std::string>;
DiagKey keyOf(const Diagnostic& d) {
  return {static_cast<int>(d.id), d.range.begin.file, d.range.begin.offset, d.range.length,
          d.message};
}
} // namespace

bool checkRecipesCompile(const Program& program, DiagnosticEngine& diags) {
  std::set<DiagKey> seen;
  for (const Diagnostic& d : diags.diagnostics())
    seen.insert(keyOf(d));
  for (const CheckedRecipe& recipe : cleanRecipesOf(program, diags)) {
    DiagnosticEngine found;
    compileRecipe(recipe, {}, found);
    for (const Diagnostic& d : found.diagnostics())
      if (seen.insert(keyOf(d)).second) diags.report(d.id, d.range, d.message) = d;
  }
  return !diags.hasErrors();
}

bool checkFileThroughCompile(const CheckRequest& request, SourceManager& sources,
                             DiagnosticEngine& diags) {
  Program program =
      loadProgram(request.path, request.text, resolveStdlibDir(request.stdlibDir), sources, diags);
  checkLoadedFile(program, diags);
  return checkRecipesCompile(program, diags);
}

} // namespace fiver
