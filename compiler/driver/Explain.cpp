#include "compiler/driver/Explain.h"

#include "compiler/diag/Diagnostic.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <ostream>

namespace fiver {

namespace {
constexpr DiagId kAllIds[] = {
#define DIAG(Id, Code, Sev, Summary) DiagId::Id,
#include "compiler/diag/DiagnosticCodes.def"
#undef DIAG
};

std::string docsDir() {
  if (const char* env = std::getenv("FIVER_DOCS")) return env;
  return FIVER_DOCS_DIR;
}
} // namespace

int explainCode(const std::string& code, std::ostream& out, std::ostream& err) {
  std::string wanted = code;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  for (DiagId id : kAllIds) {
    if (wanted != diagCode(id)) continue;
    out << wanted << " (" << severityName(diagSeverity(id)) << "): " << diagSummary(id) << "\n";
    std::ifstream doc(docsDir() + "/errors/" + wanted + ".md");
    if (doc) out << "\n" << doc.rdbuf();
    return 0;
  }
  err << "5rc: error: no diagnostic has the code '" << code << "'\n";
  return 1;
}

} // namespace fiver
