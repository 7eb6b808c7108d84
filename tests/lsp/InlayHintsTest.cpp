// Inlay hints over the real protocol: the defaults a method call leaves out.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

namespace {
// The hints of one kind (2: the defaults a call leaves out; absent: steps).
json ofKind(const json& hints, const json& kind) {
  json out = json::array();
  for (const json& h : hints)
    if (h.value("kind", json()) == kind) out.push_back(h);
  return out;
}
} // namespace

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
  json hints = ofKind(lsp.response(2)["result"], 2);
  ASSERT_EQ(hints.size(), 2u) << hints.dump();      // label_smoothing gives its only parameter
  EXPECT_EQ(hints[0]["position"], position(4, 46)); // after `ema`
  EXPECT_EQ(hints[0]["label"], "(half_life: 100 steps)");
  EXPECT_EQ(hints[1]["position"], position(6, 69)); // after `progressive_resize(until: 50%)`
  EXPECT_EQ(hints[1]["label"], "(from: 0.5, multiple: 4)");

  // Only the lines inside the requested range.
  lsp.request(
      3, "textDocument/inlayHint",
      {{"textDocument", doc()}, {"range", {{"start", position(5, 0)}, {"end", position(9, 0)}}}});
  EXPECT_EQ(ofKind(lsp.response(3)["result"], 2).size(), 1u);
}

TEST(InlayHints, ShowTheStepsEachStepPlacedMethodActsOn) {
  LspProcess lsp;
  lsp.initialize();
  // fashion_mnist: 60000 examples, batch 128 -> 469 steps an epoch, 938 in all.
  lsp.open("recipe r {\n"
           "  task fashion_mnist\n"
           "  model small_cnn(width: 8)\n"
           "  budget 2 epochs\n"
           "  reorder model_parameters dynamic domain layer_freezing(start: 45%, end: 67.5%)\n"
           "  retrofit model_parameters dynamic domain swa\n"
           "  reorder training_data dynamic domain progressive_resize(until: 50%)\n"
           "  replace training_objective static domain label_smoothing(0.2)\n"
           "}\n"
           "recipe longer extends r {\n"
           "  budget 4 epochs\n"
           "}\n");
  lsp.request(
      2, "textDocument/inlayHint",
      {{"textDocument", doc()}, {"range", {{"start", position(0, 0)}, {"end", position(12, 0)}}}});
  json steps = ofKind(lsp.response(2)["result"], json());
  // Only the lines `r` writes: `longer` inherits them with its own schedule.
  ASSERT_EQ(steps.size(), 3u) << steps.dump(2);
  EXPECT_EQ(steps[0]["position"], position(4, 80)); // after layer_freezing(...)
  EXPECT_EQ(steps[0]["label"], "steps 422\u2013633 of 938");
  // After `swa`: start 75% by default, 703.5, which the runtime truncates.
  EXPECT_EQ(steps[1]["position"], position(5, 46));
  EXPECT_EQ(steps[1]["label"], "steps 703\u2013937 of 938");
  EXPECT_EQ(steps[2]["label"], "steps 0\u2013469 of 938");
}
