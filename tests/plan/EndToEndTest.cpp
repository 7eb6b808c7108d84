// The example recipes compiled from their files: twice, to the same bytes.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

std::optional<std::string> compileFile(const fs::path& file) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = file.string();
  req.stdlibDir = test::stdlibDir();
  std::optional<CheckedRecipe> r = checkRecipe(req, sources, diags);
  if (!r) return std::nullopt;
  std::optional<plan::Plan> p = compileRecipe(*r, {}, diags);
  if (!p) return std::nullopt;
  return plan::planToString(*p);
}

bool declaresRecipe(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("recipe ", 0) == 0) return true;
  return false;
}

} // namespace

TEST(EndToEnd, ExampleRecipesCompileToIdenticalPlans) {
  int compiled = 0;
  for (const auto& entry : fs::directory_iterator(test::sourceDir() + "/recipes/fmnist")) {
    if (entry.path().extension() != ".5r" || !declaresRecipe(entry.path())) continue;
    std::optional<std::string> first = compileFile(entry.path());
    std::optional<std::string> second = compileFile(entry.path());
    ASSERT_TRUE(first && second) << entry.path();
    EXPECT_EQ(*first, *second) << entry.path();
    plan::Plan parsed = plan::parsePlan(*first, entry.path().string());
    EXPECT_EQ(plan::planToString(parsed), *first) << entry.path();
    ++compiled;
  }
  EXPECT_GE(compiled, 4);
}
