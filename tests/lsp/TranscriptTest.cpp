// Drives the real 5rc-lsp binary over pipes with JSON-RPC, as an editor does.
#include "tests/lsp/LspProcess.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace fiver::lsp::test;

namespace {
const std::string kRecipe = "// ünïcode ☕ in a comment\n"
                            "recipe r {\n"
                            "  task fashion_mnist\n"
                            "  model small_cnn\n"
                            "  budget 2 epochs\n"
                            "  /* 😀 */ reorder model_parameters dynamic domain ema\n"
                            "}\n";
} // namespace

TEST(Transcript, InitializeAdvertisesCapabilities) {
  LspProcess lsp;
  lsp.request(1, "initialize", json::object());
  json r = lsp.response(1);
  json caps = r["result"]["capabilities"];
  EXPECT_EQ(caps["textDocumentSync"]["change"], 2);
  EXPECT_TRUE(caps["hoverProvider"]);
  EXPECT_TRUE(caps["documentFormattingProvider"]);
  EXPECT_TRUE(caps.contains("semanticTokensProvider"));
}

TEST(Transcript, DiagnosticsHoverCompletionCodeActionFormattingShutdown) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open(kRecipe);

  json published = lsp.notification("textDocument/publishDiagnostics");
  ASSERT_FALSE(published.is_null());
  json diags = published["params"]["diagnostics"];
  ASSERT_EQ(diags.size(), 1u) << diags.dump();
  EXPECT_EQ(diags[0]["code"], "E0200");
  EXPECT_EQ(diags[0]["severity"], 1);
  // "  /* 😀 */ " is 2 + 3 + 2 + 4 = 11 UTF-16 units (13 bytes).
  EXPECT_EQ(diags[0]["range"]["start"], position(5, 11));

  lsp.request(2, "textDocument/codeAction",
              {{"textDocument", doc()},
               {"range", {{"start", position(5, 11)}, {"end", position(5, 11)}}},
               {"context", {{"diagnostics", diags}}}});
  json actions = lsp.response(2)["result"];
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(actions[0]["isPreferred"]);
  EXPECT_EQ(actions[0]["edit"]["changes"][kUri][0]["newText"],
            "retrofit model_parameters dynamic domain");

  lsp.request(3, "textDocument/hover", {{"textDocument", doc()}, {"position", position(5, 52)}});
  std::string card = lsp.response(3)["result"]["contents"]["value"];
  EXPECT_NE(card.find("method ema : retrofit model_parameters dynamic domain"), std::string::npos);

  // Typing a new line, incrementally, then asking for completion at its end.
  std::string typed = "  retrofit model_parameters dynamic domain ";
  lsp.notify("textDocument/didChange",
             {{"textDocument", {{"uri", kUri}, {"version", 2}}},
              {"contentChanges",
               {{{"range", {{"start", position(6, 0)}, {"end", position(6, 0)}}},
                 {"text", typed + "\n"}}}}});
  lsp.request(4, "textDocument/completion",
              {{"textDocument", doc()}, {"position", position(6, static_cast<int>(typed.size()))}});
  json items = lsp.response(4)["result"]["items"];
  bool hasEma = false, hasSwa = false;
  for (const json& item : items) {
    hasEma |= item["label"] == "ema";
    hasSwa |= item["label"] == "swa";
  }
  EXPECT_TRUE(hasEma && hasSwa) << items.dump();

  lsp.request(5, "textDocument/formatting",
              {{"textDocument", doc()}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
  json edits = lsp.response(5)["result"];
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_NE(edits[0]["newText"].get<std::string>().find("\n  /* 😀 */ reorder model_parameters"),
            std::string::npos);

  lsp.request(6, "textDocument/definition",
              {{"textDocument", doc()}, {"position", position(5, 52)}});
  json def = lsp.response(6)["result"];
  ASSERT_EQ(def.size(), 1u);
  EXPECT_NE(def[0]["uri"].get<std::string>().find("/methods/"), std::string::npos);

  lsp.request(7, "shutdown", nullptr);
  EXPECT_TRUE(lsp.response(7)["result"].is_null());
  lsp.notify("exit", nullptr);
  EXPECT_EQ(lsp.waitExit(), 0);
}

TEST(Transcript, MalformedInputGetsErrorsAndTheServerKeepsRunning) {
  LspProcess lsp;
  lsp.initialize();
  lsp.sendRaw("{\"jsonrpc\": \"2.0\", \"id\": 9, \"method\": ");
  EXPECT_EQ(lsp.read()["error"]["code"], -32700);
  lsp.sendRaw("[1, 2]");
  EXPECT_EQ(lsp.read()["error"]["code"], -32600);
  lsp.request(2, "textDocument/unheardOf", json::object());
  EXPECT_EQ(lsp.response(2)["error"]["code"], -32601);
  lsp.request(3, "textDocument/hover", {{"textDocument", 42}});
  EXPECT_EQ(lsp.response(3)["error"]["code"], -32602);
  lsp.request(4, "shutdown", nullptr);
  EXPECT_TRUE(lsp.response(4).contains("result"));
  lsp.notify("exit", nullptr);
  EXPECT_EQ(lsp.waitExit(), 0);
}

TEST(Transcript, CancelledQueuedRequestIsAnsweredRequestCancelled) {
  LspProcess lsp;
  lsp.initialize();
  // A request and its cancellation arrive together, before the server has
  // answered the initial check: the cancellation reaches it while queued.
  std::string big;
  for (int i = 0; i < 400; ++i)
    big += "recipe r" + std::to_string(i) + " {\n  task fashion_mnist\n  budget 2 epochs\n}\n";
  lsp.open(big);
  lsp.request(2, "textDocument/documentSymbol", {{"textDocument", doc()}});
  lsp.notify("$/cancelRequest", {{"id", 2}});
  json r = lsp.response(2);
  // Either cancelled while queued, or answered if it had already started.
  if (r.contains("error"))
    EXPECT_EQ(r["error"]["code"], -32800);
  else
    EXPECT_TRUE(r.contains("result"));
}

TEST(Transcript, ExitWithoutShutdownIsCodeOne) {
  LspProcess lsp;
  lsp.initialize();
  lsp.notify("exit", nullptr);
  EXPECT_EQ(lsp.waitExit(), 1);
}

TEST(Transcript, RequestBeforeInitializeIsRefused) {
  LspProcess lsp;
  lsp.request(1, "textDocument/hover", {{"textDocument", doc()}, {"position", position(0, 0)}});
  EXPECT_EQ(lsp.response(1)["error"]["code"], -32002);
}

TEST(Transcript, TwoThousandLineFileStaysResponsive) {
  LspProcess lsp;
  lsp.initialize();
  std::string text =
      "recipe base {\n  task fashion_mnist\n  model small_cnn\n  budget 2 epochs\n}\n";
  int recipes = 0;
  while (std::count(text.begin(), text.end(), '\n') < 2000) {
    text += "// a recipe ☕\nrecipe r" + std::to_string(recipes++) +
            " extends base {\n  seed 1\n  retrofit model_parameters dynamic domain ema(half_life: "
            "50 steps)\n  replace training_objective static domain label_smoothing(0.1)\n}\n";
  }
  lsp.open(text);
  ASSERT_FALSE(lsp.notification("textDocument/publishDiagnostics").is_null());
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));

  auto start = std::chrono::steady_clock::now();
  lsp.notify("textDocument/didChange",
             {{"textDocument", {{"uri", kUri}, {"version", 2}}},
              {"contentChanges",
               {{{"range", {{"start", position(lines, 0)}, {"end", position(lines, 0)}}},
                 {"text", "// end\n"}}}}});
  ASSERT_FALSE(lsp.notification("textDocument/publishDiagnostics").is_null());
  double diagnosticsMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  start = std::chrono::steady_clock::now();
  lsp.request(2, "textDocument/completion",
              {{"textDocument", doc()}, {"position", position(lines - 2, 2)}});
  ASSERT_TRUE(lsp.response(2).contains("result"));
  double completionMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "2,000-line file (%d lines): diagnostics %.1f ms after didChange, completion %.1f ms\n",
      lines, diagnosticsMs, completionMs);
  // Generous bounds: a loaded CI machine must not fail this, a quadratic slip must.
  EXPECT_LT(diagnosticsMs, 2000);
  EXPECT_LT(completionMs, 1000);
}
