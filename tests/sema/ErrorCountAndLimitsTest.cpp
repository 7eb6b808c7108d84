// Independent errors are each reported once, and inputs nested or chained
// beyond the compiler's limits end in E0005 at the right place, not a crash.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace fiver;

namespace {
size_t countOf(const test::CheckOutcome& out, DiagId id) {
  size_t n = 0;
  for (const Diagnostic& d : out.diags.diagnostics())
    n += d.id == id;
  return n;
}
} // namespace

TEST(ErrorCount, FiveIndependentErrorsAreFive) {
  test::CheckOutcome out =
      test::checkText("recipe five {\n"
                      "  task fashion_mnist\n"
                      "  model small_cnn(width: 8)\n"
                      "  budget 1 epochs\n"
                      "  optimizer sgdd(lr: 0.1)\n"
                      "  seed \"one\"\n"
                      "  colour 3\n"
                      "  retrofit model_parameters dynamic domain ema(decay: 2)\n"
                      "  remove architecture dynamic domain dropblock\n"
                      "}\n");
  EXPECT_EQ(out.diags.errorCount(), 5u) << out.rendered();
  EXPECT_TRUE(out.has(DiagId::UnknownOptimizer)) << out.rendered();
  EXPECT_TRUE(out.has(DiagId::SettingType)) << out.rendered();
  EXPECT_TRUE(out.has(DiagId::UnknownSetting)) << out.rendered();
  EXPECT_TRUE(out.has(DiagId::UnknownMethod)) << out.rendered();
}

TEST(Limits, LongOperatorChainIsAnErrorAtTheOperatorOverTheLimit) {
  std::string sum = "1";
  for (int i = 0; i < 300; ++i)
    sum += "+1";
  test::CheckOutcome out = test::checkText(test::recipeWith("  seed " + sum + "\n"));
  ASSERT_EQ(countOf(out, DiagId::NestingTooDeep), 1u) << out.rendered();
  const Diagnostic* d = out.first(DiagId::NestingTooDeep);
  EXPECT_EQ(d->range.begin.line, 5u);
  EXPECT_EQ(d->range.begin.column, 9u + 2 * 256); // the 257th '+'
}

TEST(Limits, UnaryMinusChainAndDeepListsAreBounded) {
  std::string minus, list;
  for (int i = 0; i < 100000; ++i)
    minus += "- ";
  for (int i = 0; i < 100000; ++i)
    list += "[";
  EXPECT_TRUE(
      test::checkText(test::recipeWith("  seed " + minus + "1\n")).has(DiagId::NestingTooDeep));
  EXPECT_TRUE(
      test::checkText(test::recipeWith("  augment " + list + "\n")).has(DiagId::NestingTooDeep));
}

TEST(Limits, ShortChainsAreFine) {
  test::CheckOutcome out = test::checkText(test::recipeWith("", "small_cnn(width: 1+1+1+1 - -4)"));
  EXPECT_FALSE(out.diags.hasErrors()) << out.rendered();
}

TEST(Limits, LongImportChainIsCut) {
  const fs::path dir = fs::temp_directory_path() / "fiver_import_chain";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (int i = 0; i < 100; ++i)
    std::ofstream(dir / ("f" + std::to_string(i) + ".5r")) << "import \"f" << i + 1 << ".5r\"\n";
  std::ofstream(dir / "f100.5r") << "// end of the chain\n";
  SourceManager sm;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = (dir / "f0.5r").string();
  req.stdlibDir = test::stdlibDir();
  checkFile(req, sm, diags);
  size_t deep = 0;
  for (const Diagnostic& d : diags.diagnostics())
    if (d.id == DiagId::NestingTooDeep) {
      ++deep;
      EXPECT_EQ(d.range.begin.file, (dir / "f64.5r").lexically_normal().string());
    }
  EXPECT_EQ(deep, 1u);
  fs::remove_all(dir);
}

TEST(Limits, ImportCycleLoadsEachFileOnce) {
  const fs::path dir = fs::temp_directory_path() / "fiver_import_cycle";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "a.5r") << "import \"b.5r\"\n";
  std::ofstream(dir / "b.5r") << "import \"a.5r\"\n";
  SourceManager sm;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = (dir / "a.5r").string();
  req.stdlibDir = test::stdlibDir();
  EXPECT_TRUE(checkFile(req, sm, diags));
  fs::remove_all(dir);
}
