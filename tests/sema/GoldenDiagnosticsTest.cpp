// Golden diagnostics: each tests/golden/diagnostics/<case>.5r is checked and
// its rendered diagnostics compared with <case>.expected (paths relative to
// the source tree). FIVER_BLESS=1 rewrites the expected files.
#include "compiler/pipeline/PipelineCheck.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

namespace fs = std::filesystem;
using namespace fiver;

namespace {
std::string relativeToSource(std::string text) {
  const std::string prefix = std::string(FIVER_TEST_SOURCE_DIR) + "/";
  for (size_t at; (at = text.find(prefix)) != std::string::npos;)
    text.erase(at, prefix.size());
  return text;
}
} // namespace

TEST(GoldenDiagnostics, MatchExpected) {
  const fs::path root = fs::path(FIVER_TEST_SOURCE_DIR) / "tests/golden/diagnostics";
  const bool bless = std::getenv("FIVER_BLESS") != nullptr;
  int cases = 0;
  for (const auto& file : fs::directory_iterator(root)) {
    if (file.path().extension() != ".5r") continue;
    ++cases;
    CheckRequest req;
    req.path = file.path().string();
    req.stdlibDir = test::stdlibDir();
    SourceManager sm;
    DiagnosticEngine diags;
    // As `5rc check`: recipes that pass sema are compiled, so the golden
    // also shows what building the graph, the passes and lowering report.
    checkFileThroughCompile(req, sm, diags);
    // W0002 says which hooks 5rc-exec lacks today: it follows the runtime's
    // progress, not the case under test (Sema.UnexecutableHooksAreFlagged covers it),
    // except in the case about it, whose hook no runtime has.
    const bool showHooks = file.path().stem() == "hook_not_executable";
    DiagnosticEngine shown;
    for (const Diagnostic& d : diags.diagnostics())
      if (d.id != DiagId::HookNotExecutable || showHooks)
        shown.report(d.id, d.range, d.message) = d;
    std::ostringstream os;
    renderDiagnostics(os, shown, sm);
    std::string got = relativeToSource(os.str());
    EXPECT_TRUE(diags.hasErrors()) << file.path() << " should not check clean";
    fs::path expected = file.path();
    expected.replace_extension(".expected");
    if (bless) {
      std::ofstream(expected) << got;
      continue;
    }
    std::ifstream in(expected);
    std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, want) << file.path() << " (rerun with FIVER_BLESS=1 to accept)";
  }
  EXPECT_GE(cases, 5);
}

// Every code of DiagnosticCodes.def has a golden case that reports it and a
// page under docs/errors/.
TEST(GoldenDiagnostics, EveryCodeHasAGoldenAndADocPage) {
  const fs::path root(FIVER_TEST_SOURCE_DIR);
  std::string goldens;
  // The import's codes have their golden cases beside its YAML inputs.
  for (const char* folder : {"tests/golden/diagnostics", "tests/golden/composer"})
    for (const auto& file : fs::directory_iterator(root / folder)) {
      if (file.path().extension() != ".expected") continue;
      std::ifstream in(file.path());
      goldens.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  const std::vector<std::string> codes = {
#define DIAG(Id, Code, Sev, Summary) Code,
#include "compiler/diag/DiagnosticCodes.def"
#undef DIAG
  };
  for (const std::string& code : codes) {
    EXPECT_NE(goldens.find("[" + code + "]"), std::string::npos) << code << " has no golden case";
    EXPECT_TRUE(fs::exists(root / "docs/errors" / (code + ".md"))) << code << " has no doc page";
  }
}
