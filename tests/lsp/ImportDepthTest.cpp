// The language server loads programs with the compiler's loader: an import
// chain too deep for `5rc check` (E0005) is too deep in the editor too, at
// the same place.
#include "compiler/pipeline/PipelineCheck.h"
#include "editor/server/Analysis.h"
#include "editor/server/Diagnostics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace fiver;

namespace {
const std::string kStdlib = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";

// f0.5r imports f1.5r, which imports f2.5r, ... up to f100.5r.
fs::path writeImportChain() {
  const fs::path dir =
      fs::temp_directory_path() / ("fiver-lsp-import-chain-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int i = 0; i < 100; ++i)
    std::ofstream(dir / ("f" + std::to_string(i) + ".5r")) << "import \"f" << i + 1 << ".5r\"\n";
  std::ofstream(dir / "f100.5r") << "// end of the chain\n";
  return dir;
}

std::vector<std::string> tooDeep(const DiagnosticEngine& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.diagnostics())
    if (d.id == DiagId::NestingTooDeep)
      out.push_back(d.range.begin.file + ":" + std::to_string(d.range.begin.line) + ":" +
                    std::to_string(d.range.begin.column) + " " + d.message);
  return out;
}
} // namespace

TEST(ImportDepth, TheServerCutsAChainWhereTheCompilerDoes) {
  const fs::path dir = writeImportChain();
  const std::string main = (dir / "f0.5r").string();

  SourceManager sources;
  DiagnosticEngine compiler;
  CheckRequest request;
  request.path = main;
  request.stdlibDir = kStdlib;
  checkFileThroughCompile(request, sources, compiler); // what `5rc check` reports
  const std::vector<std::string> expected = tooDeep(compiler);
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_NE(expected[0].find((dir / "f64.5r").lexically_normal().string()), std::string::npos)
      << expected[0];

  ParseCache cache;
  for (int round = 0; round < 2; ++round) { // parsed, then from the cache
    auto analysis = lsp::Analysis::build(main, "import \"f1.5r\"\n", kStdlib, {}, cache);
    EXPECT_EQ(tooDeep(analysis->diagnostics()), expected) << "round " << round;
    // The editor shows it on the document's import line, with its code.
    std::vector<lsp::LspDiagnostic> shown = lsp::documentDiagnostics(*analysis);
    EXPECT_TRUE(std::any_of(shown.begin(), shown.end(),
                            [](const lsp::LspDiagnostic& d) { return d.code == "E0005"; }));
  }
  fs::remove_all(dir);
}
