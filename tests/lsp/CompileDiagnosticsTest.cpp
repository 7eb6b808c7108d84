// The server publishes what `5rc compile` would report, not only sema's
// findings: shape errors at the layer, a pass's precondition at the argument.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

namespace {

// Each case checks clean in sema; the lines are 0-based as in LSP.
const std::string kShapes = "model conv_after_flatten {\n"   // 0
                            "  conv(out: 8) relu\n"          // 1
                            "  flatten\n"                    // 2
                            "  conv(out: 16)\n"              // 3
                            "  linear(out: classes)\n"       // 4
                            "}\n"                            // 5
                            "model thirty_wide {\n"          // 6
                            "  embedding(dim: 30)\n"         // 7
                            "  causal_attention(heads: 4)\n" // 8
                            "  linear(out: classes)\n"       // 9
                            "}\n"                            // 10
                            "recipe image {\n"               // 11
                            "  task fashion_mnist\n"         // 12
                            "  model conv_after_flatten\n"   // 13
                            "  budget 1 epochs\n"            // 14
                            "}\n"                            // 15
                            "recipe text {\n"                // 16
                            "  task synthetic_text\n"        // 17
                            "  model thirty_wide\n"          // 18
                            "  budget 1 epochs\n"            // 19
                            "}\n"                            // 20
                            "recipe freezing {\n"            // 21
                            "  task fashion_mnist\n"         // 22
                            "  model small_cnn(width: 8)\n"  // 23
                            "  budget 1 epochs\n"            // 24
                            "  reorder model_parameters dynamic domain "
                            "layer_freezing(start: 90%, end: 20%)\n" // 25
                            "}\n";

json rangeOf(int line, int begin, int end) {
  return {{"start", position(line, begin)}, {"end", position(line, end)}};
}

} // namespace

TEST(CompileDiagnostics, PublishedAtTheLayerAndTheMethod) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open(kShapes);
  json published = lsp.notification("textDocument/publishDiagnostics");
  ASSERT_FALSE(published.is_null());
  json diags = published["params"]["diagnostics"];
  ASSERT_EQ(diags.size(), 3u) << diags.dump(2);

  auto find = [&](int line) -> json {
    for (const json& d : diags)
      if (d["range"]["start"]["line"] == line) return d;
    return nullptr;
  };
  json conv = find(3);
  ASSERT_FALSE(conv.is_null()) << diags.dump(2);
  EXPECT_EQ(conv["code"], "E0400");
  EXPECT_EQ(conv["severity"], 1);
  EXPECT_EQ(conv["range"], rangeOf(3, 2, 15)); // `conv(out: 16)`
  EXPECT_NE(conv["message"].get<std::string>().find("after flatten"), std::string::npos);

  json heads = find(8);
  ASSERT_FALSE(heads.is_null()) << diags.dump(2);
  EXPECT_EQ(heads["code"], "E0400");
  EXPECT_EQ(heads["range"], rangeOf(8, 2, 28)); // `causal_attention(heads: 4)`
  EXPECT_NE(heads["message"].get<std::string>().find("30 features into 4 heads"),
            std::string::npos);

  json freezing = find(25);
  ASSERT_FALSE(freezing.is_null()) << diags.dump(2);
  EXPECT_EQ(freezing["code"], "E0203");
  EXPECT_EQ(freezing["range"], rangeOf(25, 69, 77)); // at `end: 20%`
  EXPECT_NE(freezing["message"].get<std::string>().find("before it starts"), std::string::npos);

  // Fixing the model clears its diagnostic on the next publication.
  lsp.notify("textDocument/didChange",
             {{"textDocument", {{"uri", kUri}, {"version", 2}}},
              {"contentChanges", {{{"range", rangeOf(3, 2, 15)}, {"text", "linear(out: 16)"}}}}});
  json again = lsp.notification("textDocument/publishDiagnostics");
  ASSERT_FALSE(again.is_null());
  EXPECT_EQ(again["params"]["diagnostics"].size(), 2u) << again.dump(2);
}

TEST(CompileDiagnostics, MixedPrecisionDtypeAtTheArgument) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open("recipe r {\n"
           "  task fashion_mnist\n"
           "  model small_cnn(width: 8)\n"
           "  budget 1 epochs\n"
           "  restrict model_parameters static domain mixed_precision(dtype: fp8)\n"
           "}\n");
  json published = lsp.notification("textDocument/publishDiagnostics");
  ASSERT_FALSE(published.is_null());
  json diags = published["params"]["diagnostics"];
  ASSERT_EQ(diags.size(), 1u) << diags.dump(2);
  EXPECT_EQ(diags[0]["code"], "E0203");
  EXPECT_EQ(diags[0]["range"], rangeOf(4, 58, 68)); // `dtype: fp8`, not the method
}
