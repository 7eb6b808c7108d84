// Damaged configs never crash the import: every prefix of a published
// recipe's lines, and copies with single characters replaced by YAML's
// punctuation, give diagnostics (or a recipe), never an exception.
#include "compiler/composer/ComposerImport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

const fs::path kSource(FIVER_TEST_SOURCE_DIR);

void importText(const std::string& text, const fs::path& scratch) {
  std::ofstream(scratch) << text;
  composer::ComposerImportOptions o;
  o.yamlPath = scratch.string();
  o.stdlibDir = (kSource / "stdlib").string();
  SourceManager sources;
  DiagnosticEngine diags;
  EXPECT_NO_THROW(composer::importComposer(o, sources, diags)) << text;
  for (const Diagnostic& d : diags.diagnostics())
    EXPECT_TRUE(d.range.valid() || d.range.begin.file.empty()) << d.message;
}

std::string readGolden(const char* name) {
  std::ifstream in(kSource / "tests/golden/composer" / name);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

} // namespace

TEST(ComposerRobustness, EveryLinePrefixImportsOrIsReported) {
  const fs::path scratch = fs::temp_directory_path() / "fiver_composer_prefix.yaml";
  const std::string text = readGolden("resnet50_spicy.yaml");
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', end + 1))
    importText(text.substr(0, end + 1), scratch);
  fs::remove(scratch);
}

TEST(ComposerRobustness, PunctuationInTheWrongPlaceIsReported) {
  const fs::path scratch = fs::temp_directory_path() / "fiver_composer_mutant.yaml";
  const std::string text = readGolden("resnet50_mild.yaml");
  const std::string punctuation = ":{}[]-\"'\t#&*!|>%@`,?";
  std::mt19937 random(5); // fixed: the same mutants every run
  for (int i = 0; i < 40; ++i) {
    std::string mutant = text;
    mutant[random() % mutant.size()] = punctuation[random() % punctuation.size()];
    importText(mutant, scratch);
  }
  fs::remove(scratch);
}
