// Golden pass dumps: each tests/golden/passes/<pass>/<case>.5r is compiled with
// --dump-after=<pass> (the folder `all`: --dump-after=all) and compared with
// <case>.expected. A case whose text holds `// compile: --fuse` compiles with
// op_fusion. FIVER_BLESS=1 rewrites the expected files.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace fiver;

TEST(GoldenPassDumps, MatchExpected) {
  const fs::path root = fs::path(FIVER_TEST_SOURCE_DIR) / "tests/golden/passes";
  const bool bless = std::getenv("FIVER_BLESS") != nullptr;
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() != ".5r") continue;
      ++cases;
      std::ifstream in(file.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::ostringstream dump;
      CompileOptions opts;
      opts.dumpAfter = {dir.path().filename().string()};
      opts.dumpStream = &dump;
      opts.fuse = text.find("// compile: --fuse") != std::string::npos;
      DiagnosticEngine diags;
      ASSERT_TRUE(test::compileText(text, diags, opts)) << file.path();
      fs::path expected = file.path();
      expected.replace_extension(".expected");
      if (bless) {
        std::ofstream(expected) << dump.str();
        continue;
      }
      std::ifstream want(expected);
      std::string golden((std::istreambuf_iterator<char>(want)), std::istreambuf_iterator<char>());
      EXPECT_EQ(dump.str(), golden) << file.path() << " (rerun with FIVER_BLESS=1 to accept)";
    }
  }
  EXPECT_GE(cases, 3);
}
