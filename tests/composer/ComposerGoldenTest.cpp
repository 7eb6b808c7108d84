// Golden imports: each tests/golden/composer/<case>.yaml is imported (over
// the base a `# 5rc-extends: FILE` line names, else the Fashion-MNIST
// baseline) as if written to tests/golden/composer/<case>.5r, and its
// diagnostics and recipe are compared with <case>.expected. FIVER_BLESS=1
// rewrites the expected files.
#include "compiler/composer/ComposerImport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

const fs::path kSource(FIVER_TEST_SOURCE_DIR);

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string relativeToSource(std::string text) {
  const std::string prefix = kSource.string() + "/";
  for (size_t at; (at = text.find(prefix)) != std::string::npos;)
    text.erase(at, prefix.size());
  return text;
}

std::string extendsLine(const std::string& yaml) {
  const std::string tag = "# 5rc-extends: ";
  const size_t at = yaml.find(tag);
  if (at == std::string::npos) return "";
  const size_t end = yaml.find('\n', at);
  return (kSource / yaml.substr(at + tag.size(), end - at - tag.size())).string();
}

// Diagnostics (without W0002, which follows the runtime's progress), then
// the recipe, as one text.
std::string importCase(const fs::path& yaml) {
  composer::ComposerImportOptions o;
  o.yamlPath = yaml.string();
  o.outputPath = fs::path(yaml).replace_extension(".5r").string();
  o.extendsPath = extendsLine(readFile(yaml));
  o.stdlibDir = (kSource / "stdlib").string();
  SourceManager sources;
  DiagnosticEngine diags, shown;
  std::optional<std::string> recipe = composer::importComposer(o, sources, diags);
  for (const Diagnostic& d : diags.diagnostics())
    if (d.id != DiagId::HookNotExecutable) shown.report(d.id, d.range, d.message) = d;
  std::ostringstream os;
  os << "-- diagnostics\n";
  renderDiagnostics(os, shown, sources);
  os << "-- recipe\n" << (recipe ? *recipe : std::string("(none written)\n"));
  return relativeToSource(os.str());
}

} // namespace

TEST(ComposerGolden, ImportsMatchExpected) {
  const bool bless = std::getenv("FIVER_BLESS") != nullptr;
  int cases = 0;
  for (const auto& file : fs::directory_iterator(kSource / "tests/golden/composer")) {
    if (file.path().extension() != ".yaml") continue;
    ++cases;
    const std::string got = importCase(file.path());
    fs::path expected = file.path();
    expected.replace_extension(".expected");
    if (bless) {
      std::ofstream(expected) << got;
      continue;
    }
    EXPECT_EQ(got, readFile(expected)) << file.path() << " (rerun with FIVER_BLESS=1 to accept)";
  }
  EXPECT_GE(cases, 6);
}

// The published ResNet-50 recipes import without errors, and each imported
// recipe checks clean as a file on its own (as `5rc check` would see it).
TEST(ComposerGolden, PublishedRecipesImport) {
  for (const char* name : {"resnet50_mild", "resnet50_medium", "resnet50_spicy", "gpt2_125m"}) {
    const fs::path yaml = kSource / "tests/golden/composer" / (std::string(name) + ".yaml");
    composer::ComposerImportOptions o;
    o.yamlPath = yaml.string();
    o.extendsPath = extendsLine(readFile(yaml));
    o.stdlibDir = (kSource / "stdlib").string();
    SourceManager sources;
    DiagnosticEngine diags;
    std::optional<std::string> recipe = composer::importComposer(o, sources, diags);
    ASSERT_TRUE(recipe) << name;
    EXPECT_NE(recipe->find("recipe " + std::string(name) + " extends"), std::string::npos);
  }
}
