#include "tests/fuzz/CheckOneInput.h"

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/sema/Check.h"

#include <sstream>

namespace fiver {

size_t checkOneInput(const char* data, size_t size) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckRequest request;
  request.path = "fuzz_input.5r";
  request.text = std::string(data, size);
  checkFile(request, sources, diags);
  // Rendering quotes source lines and places carets: out-of-range spans show up here.
  std::ostringstream rendered;
  renderDiagnostics(rendered, diags, sources);
  return diags.errorCount();
}

} // namespace fiver
