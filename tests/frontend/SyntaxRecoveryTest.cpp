// After a syntax error the item holding it is skipped and the rest parsed:
// every independent error is reported, and the declarations around survive.
#include "compiler/frontend/SyntaxRecovery.h"
#include "compiler/frontend/Parser.h"

#include <gtest/gtest.h>

using namespace fiver;

TEST(SyntaxRecovery, EachIndependentErrorIsReportedAndTheRestParses) {
  DiagnosticEngine diags;
  ast::File f = parseFile("r.5r",
                          "recipe a {\n"
                          "  task fashion_mnist\n"
                          "  seed = 3\n"
                          "}\n"
                          "recipe b {\n"
                          "  model small_cnn(width: 8\n"
                          "  budget 1 epochs\n"
                          "}\n"
                          "recipe c {\n"
                          "  task fashion_mnist\n"
                          "}\n",
                          diags);
  ASSERT_EQ(diags.diagnostics().size(), 2u);
  EXPECT_EQ(diags.diagnostics()[0].range.begin.line, 3u);
  EXPECT_EQ(diags.diagnostics()[1].range.begin.line, 6u);
  EXPECT_TRUE(f.recovered);
  ASSERT_EQ(f.recipes.size(), 3u);
  EXPECT_EQ(f.recipes[0].items.size(), 1u); // `task` survives, `seed = 3` was skipped
  EXPECT_EQ(f.recipes[2].items.size(), 1u);
  // a and b lost items; c is whole.
  ASSERT_EQ(f.damaged.size(), 2u);
  EXPECT_EQ(f.damaged[0].begin.line, 1u);
  EXPECT_EQ(f.damaged[1].begin.line, 5u);
}

TEST(SyntaxRecovery, AnErrorInAHeaderSkipsTheWholeDeclaration) {
  DiagnosticEngine diags;
  ast::File f = parseFile("r.5r",
                          "recipe a extends {\n"
                          "  task fashion_mnist\n"
                          "}\n"
                          "recipe b {\n"
                          "  task fashion_mnist\n"
                          "}\n",
                          diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  ASSERT_EQ(f.recipes.size(), 1u);
  EXPECT_EQ(f.recipes[0].name.text, "b");
}

TEST(SyntaxRecovery, BlankingKeepsOffsetsAndTheEnclosingBlock) {
  std::string text = "model m {\n  conv(out: 8 relu\n  flatten }\n";
  frontend::ByteSpan item = frontend::itemSpanAt(text, text.find("relu"));
  EXPECT_EQ(text.substr(item.begin, item.end - item.begin), "  conv(out: 8 relu\n  flatten }");
  const size_t size = text.size();
  ASSERT_TRUE(frontend::blankOut(text, item));
  EXPECT_EQ(text.size(), size);
  EXPECT_EQ(text, "model m {\n" + std::string(18, ' ') + "\n" + std::string(10, ' ') + "}\n");
  EXPECT_FALSE(frontend::blankOut(text, item)); // nothing left to skip
}
