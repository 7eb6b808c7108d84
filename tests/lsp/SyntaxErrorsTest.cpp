// The server publishes every independent syntax error of a document, and
// keeps checking the declarations that parsed whole.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

TEST(SyntaxErrors, EachIsPublishedAndTheRestIsChecked) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open("recipe a {\n"                                      // 0
           "  task fashion_mnist\n"                            // 1
           "  seed = 3\n"                                      // 2
           "  budget 1 epochs)\n"                              // 3
           "}\n"                                               // 4
           "recipe b {\n"                                      // 5
           "  task fashion_mnist\n"                            // 6
           "  model small_cnn\n"                               // 7
           "  budget 1 epochs\n"                               // 8
           "  retrofit model_parameters dynamic domain emaa\n" // 9
           "}\n");
  json published = lsp.notification("textDocument/publishDiagnostics");
  ASSERT_FALSE(published.is_null());
  json diags = published["params"]["diagnostics"];
  ASSERT_EQ(diags.size(), 3u) << diags.dump(2);
  EXPECT_EQ(diags[0]["code"], "E0001");
  EXPECT_EQ(diags[0]["range"]["start"]["line"], 2);
  EXPECT_EQ(diags[1]["code"], "E0001");
  EXPECT_EQ(diags[1]["range"]["start"]["line"], 3);
  EXPECT_EQ(diags[2]["code"], "E0100");
  EXPECT_EQ(diags[2]["range"]["start"], position(9, 43));
}
