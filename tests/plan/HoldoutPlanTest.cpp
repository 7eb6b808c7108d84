// The plan's task.holdout: written only when set (plans without one keep
// their bytes and hashes), read back exactly, and a golden plan dump.
#include "compiler/plan/Plan.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace fiver;

namespace {
std::string compiled(const std::string& text) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(text, diags);
  EXPECT_TRUE(p) << diags.diagnostics().size();
  return p ? plan::planToString(*p) : "";
}

// The source hash covers the whole standard library, which every new method
// changes; the golden is about what the plan decides, so the hash is masked.
std::string withSourceHashMasked(std::string dump) {
  const std::string key = "source_hash: ";
  const std::size_t at = dump.find(key);
  if (at == std::string::npos) return dump;
  const std::size_t valueAt = at + key.size();
  dump.replace(valueAt, dump.find('\n', valueAt) - valueAt, "<masked>");
  return dump;
}
} // namespace

TEST(HoldoutPlan, WrittenOnlyWhenSetAndReadBack) {
  std::string without = compiled(test::recipeWith(""));
  EXPECT_EQ(without.find("holdout"), std::string::npos);
  EXPECT_EQ(plan::parsePlan(without, "p.yaml").task.holdout, 0);

  std::string with = compiled(test::recipeWith("  holdout 5000\n"));
  EXPECT_NE(with.find("  holdout: 5000\n"), std::string::npos);
  plan::Plan back = plan::parsePlan(with, "p.yaml");
  EXPECT_EQ(back.task.holdout, 5000);
  EXPECT_EQ(back.task.trainSize, 55000);
  EXPECT_EQ(plan::planToString(back), with);
}

TEST(HoldoutPlan, NegativeHoldoutIsRejectedWithItsPosition) {
  std::string text = compiled(test::recipeWith("  holdout 5000\n"));
  text.replace(text.find("holdout: 5000"), 13, "holdout: -3");
  try {
    plan::parsePlan(text, "bad.yaml");
    FAIL() << "accepted a negative holdout";
  } catch (const plan::PlanError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("holdout"), std::string::npos) << e.what();
  }
}

// tests/golden/plans/<case>.5r compiled to a plan, compared with
// <case>.expected. FIVER_BLESS=1 rewrites the expected files.
TEST(HoldoutPlan, GoldenPlanDump) {
  const fs::path root = fs::path(FIVER_TEST_SOURCE_DIR) / "tests/golden/plans";
  const bool bless = std::getenv("FIVER_BLESS") != nullptr;
  int cases = 0;
  for (const auto& file : fs::directory_iterator(root)) {
    if (file.path().extension() != ".5r") continue;
    ++cases;
    std::ifstream in(file.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string dump = withSourceHashMasked(compiled(text));
    fs::path expected = file.path();
    expected.replace_extension(".expected");
    if (bless) {
      std::ofstream(expected) << dump;
      continue;
    }
    std::ifstream want(expected);
    std::string golden((std::istreambuf_iterator<char>(want)), std::istreambuf_iterator<char>());
    EXPECT_EQ(dump, golden) << file.path() << " (rerun with FIVER_BLESS=1 to accept)";
  }
  EXPECT_GE(cases, 1);
}
