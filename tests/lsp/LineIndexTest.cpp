#include "editor/server/LineIndex.h"
#include "editor/server/Uri.h"

#include <gtest/gtest.h>

using namespace fiver::lsp;

TEST(LineIndex, CountsUtf16UnitsNotBytes) {
  // é is 2 bytes and 1 unit; 😀 is 4 bytes and 2 units (a surrogate pair).
  std::string text = "ab\n// é😀 x\nz";
  LineIndex lines(text);
  size_t x = text.find(" x") + 1;
  EXPECT_EQ(lines.positionAt(x), (Position{1, 7}));
  EXPECT_EQ(lines.offsetAt({1, 7}), x);
  EXPECT_EQ(lines.offsetAt({2, 0}), text.find('z'));
}

TEST(LineIndex, ClampsPastTheEndAndInsideSurrogates) {
  std::string text = "😀a\nb";
  LineIndex lines(text);
  EXPECT_EQ(lines.offsetAt({0, 99}), 5u); // end of line 0
  EXPECT_EQ(lines.offsetAt({0, 1}), 0u);  // inside the pair: rounds down
  EXPECT_EQ(lines.offsetAt({9, 0}), text.size());
  EXPECT_EQ(lines.positionAt(text.size()), (Position{1, 1}));
}

TEST(LineIndex, HandlesCarriageReturns) {
  LineIndex lines("a\r\nbc");
  EXPECT_EQ(lines.lineText(0), "a");
  EXPECT_EQ(lines.offsetAt({1, 1}), 4u);
}

TEST(Uri, RoundTripsPathsWithSpacesAndNonAscii) {
  std::string path = "/tmp/my recipes/café.5r";
  std::string uri = uriFromPath(path);
  EXPECT_EQ(uri, "file:///tmp/my%20recipes/caf%C3%A9.5r");
  EXPECT_EQ(pathFromUri(uri), path);
  EXPECT_FALSE(pathFromUri("untitled:Untitled-1"));
}
