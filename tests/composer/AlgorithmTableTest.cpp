// The mapping table against the stdlib it maps onto: every FiveR method and
// parameter a row names is declared, so a renamed parameter fails here rather
// than in a user's import.
#include "compiler/composer/AlgorithmTable.h"
#include "compiler/composer/ComposerImport.h"
#include "compiler/sema/Check.h"
#include "compiler/sema/MethodSignature.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace fiver;
using namespace fiver::composer;

namespace {

std::map<std::string, MethodSignature> stdlibMethods(Program& program) {
  SourceManager sm;
  DiagnosticEngine diags;
  program = loadProgram("<test>", std::string(), std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib", sm,
                        diags);
  std::map<std::string, MethodSignature> out;
  for (const auto& [name, decl] : program.methods)
    if (auto sig = checkMethodDecl(*decl, diags)) out.emplace(name, std::move(*sig));
  return out;
}

} // namespace

TEST(ComposerAlgorithmTable, NamesOnlyDeclaredParameters) {
  Program program;
  const auto methods = stdlibMethods(program);
  for (const AlgorithmRow& row : composerAlgorithms()) {
    if (row.method.empty()) {
      EXPECT_FALSE(row.why.empty()) << row.composer << " needs a reason for having no method";
      continue;
    }
    auto it = methods.find(std::string(row.method));
    if (it == methods.end()) continue; // not in this stdlib: the import says so (W0800)
    for (const HyperparameterRule& rule : row.hyperparameters) {
      if (rule.fiver.empty()) continue;
      bool declared = false;
      for (const ParamSpec& p : it->second.params)
        declared |= p.name == rule.fiver;
      EXPECT_TRUE(declared) << row.composer << "." << rule.composer << " -> " << row.method << "("
                            << rule.fiver << ") is not declared";
    }
  }
}

// ALiBi maps onto the stdlib's `alibi` where it has one, and is reported
// (W0800, never dropped silently) where it has none.
TEST(ComposerAlgorithmTable, AlibiMapsWhereTheStdlibHasIt) {
  Program program;
  const bool declared = stdlibMethods(program).count("alibi") > 0;
  const fs::path yaml = fs::temp_directory_path() / "fiver_composer_alibi.yaml";
  std::ofstream(yaml) << "algorithms:\n  alibi: {max_sequence_length: 8192, "
                         "train_sequence_length_scaling: 1.0}\n";
  ComposerImportOptions o;
  o.yamlPath = yaml.string();
  o.extendsPath = std::string(FIVER_TEST_SOURCE_DIR) + "/recipes/text/baseline.5r";
  o.stdlibDir = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";
  SourceManager sources;
  DiagnosticEngine diags;
  std::optional<std::string> recipe = importComposer(o, sources, diags);
  ASSERT_TRUE(recipe);
  bool reported = false;
  for (const Diagnostic& d : diags.diagnostics())
    reported |= d.id == DiagId::ComposerAlgorithmUnmapped;
  EXPECT_EQ(recipe->find("domain alibi") != std::string::npos, declared);
  EXPECT_EQ(reported, !declared);
  fs::remove(yaml);
}
