// Replays every input in tests/fuzz/regressions/ through `5rc check`: each
// once crashed, hung or overflowed the stack, and must now end in diagnostics.
#include "tests/fuzz/CheckOneInput.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

TEST(FuzzRegressions, EveryInputChecksWithoutCrashing) {
  const fs::path root = fs::path(FIVER_TEST_SOURCE_DIR) / "tests/fuzz/regressions";
  int inputs = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++inputs;
    // Every regression input is malformed on purpose: it must be rejected.
    EXPECT_GT(fiver::checkOneInput(bytes.data(), bytes.size()), 0u) << entry.path();
  }
  EXPECT_GE(inputs, 5);
}
