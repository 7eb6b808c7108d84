// Inlay hints over the real protocol: the defaults a method call leaves out.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

TEST(InlayHints, ShowTheDefaultsEachMethodCallLeavesOut) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open("recipe r {\n"
           "  task fashion_mnist\n"
           "  model small_cnn\n"
           "  budget 2 epochs\n"
           "  retrofit model_parameters dynamic domain ema\n"
           "  replace training_objective static domain label_smoothing(0.2)\n"
           "  reorder training_data dynamic domain progressive_resize(until: 50%)\n"
           "}\n");
  lsp.request(
      2, "textDocument/inlayHint",
      {{"textDocument", doc()}, {"range", {{"start", position(0, 0)}, {"end", position(9, 0)}}}});
  json hints = lsp.response(2)["result"];
  ASSERT_EQ(hints.size(), 2u) << hints.dump();      // label_smoothing gives its only parameter
  EXPECT_EQ(hints[0]["position"], position(4, 46)); // after `ema`
  EXPECT_EQ(hints[0]["label"], "(half_life: 100 steps)");
  EXPECT_EQ(hints[1]["position"], position(6, 69)); // after `progressive_resize(until: 50%)`
  EXPECT_EQ(hints[1]["label"], "(from: 0.5, multiple: 4)");

  // Only the lines inside the requested range.
  lsp.request(
      3, "textDocument/inlayHint",
      {{"textDocument", doc()}, {"range", {{"start", position(5, 0)}, {"end", position(9, 0)}}}});
  EXPECT_EQ(lsp.response(3)["result"].size(), 1u);
}
