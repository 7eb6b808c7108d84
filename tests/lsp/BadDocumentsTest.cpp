// Documents and positions an editor should never send, but sometimes does:
// binary text, invalid UTF-8, a document of several megabytes, positions far
// outside the text, requests on a document that was closed or never opened.
// Each request gets an answer and the server keeps running to a clean exit.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

namespace {
bool answered(const json& response) {
  return response.contains("result") || response.contains("error");
}

json hoverAt(int line, int character, const std::string& uri = kUri) {
  return {{"textDocument", {{"uri", uri}}}, {"position", position(line, character)}};
}
} // namespace

TEST(BadDocuments, BinaryHugeVanishedAndOutOfRangeAreAnsweredWithoutACrash) {
  LspProcess lsp;
  lsp.initialize();

  const char binary[] = "recipe \0\x01\x02 r {\n  budget \x7f epochs\n}\n";
  lsp.open(std::string(binary, sizeof(binary) - 1));
  EXPECT_FALSE(lsp.notification("textDocument/publishDiagnostics").is_null());
  // Invalid UTF-8 cannot be written through the JSON library: sent as bytes.
  lsp.sendRaw("{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didChange\", \"params\": "
              "{\"textDocument\": {\"uri\": \"" +
              kUri +
              "\", \"version\": 2}, "
              "\"contentChanges\": [{\"text\": \"recipe \xff\xfe r {\"}]}}");

  lsp.request(2, "textDocument/hover", hoverAt(1000000, 1000000));
  EXPECT_TRUE(answered(lsp.response(2)));
  lsp.request(3, "textDocument/hover", hoverAt(-1, -5));
  EXPECT_TRUE(answered(lsp.response(3)));
  lsp.request(4, "textDocument/completion", hoverAt(0, 1 << 30));
  EXPECT_TRUE(answered(lsp.response(4)));

  lsp.notify("textDocument/didClose", {{"textDocument", {{"uri", kUri}}}});
  lsp.request(5, "textDocument/hover", hoverAt(0, 0));
  EXPECT_TRUE(answered(lsp.response(5)));
  lsp.request(6, "textDocument/definition", hoverAt(0, 0, "file:///never/opened.5r"));
  EXPECT_TRUE(answered(lsp.response(6)));

  std::string huge;
  while (huge.size() < (4u << 20))
    huge += "// a comment line that makes this recipe file several megabytes long\n";
  lsp.open(huge + "recipe big {\n  task fashion_mnist\n  model small_cnn\n  budget 1 epochs\n}\n");
  lsp.request(7, "textDocument/hover", hoverAt(3, 3));
  EXPECT_TRUE(answered(lsp.response(7)));

  lsp.request(8, "shutdown", nullptr);
  EXPECT_TRUE(lsp.response(8).contains("result"));
  lsp.notify("exit", nullptr);
  EXPECT_EQ(lsp.waitExit(), 0);
}
