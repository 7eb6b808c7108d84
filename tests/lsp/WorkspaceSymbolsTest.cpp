// Workspace symbols over the protocol: declarations of the open documents'
// programs, the stdlib included, found by part of their name.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

TEST(WorkspaceSymbols, FindsDeclarationsOfTheDocumentAndTheStdlib) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open("model freezer_net {\n  flatten\n  linear(out: classes)\n}\n"
           "recipe freeze_early {\n  task fashion_mnist\n  model freezer_net\n"
           "  budget 1 epochs\n}\n");

  lsp.request(2, "workspace/symbol", {{"query", "FREEZ"}});
  json symbols = lsp.response(2)["result"];
  ASSERT_TRUE(symbols.is_array()) << symbols.dump();
  std::map<std::string, json> byName;
  for (const json& s : symbols)
    byName[s["name"]] = s;
  ASSERT_TRUE(byName.count("freeze_early")) << symbols.dump(2);
  EXPECT_EQ(byName["freeze_early"]["kind"], 5); // Class, as in the outline
  EXPECT_EQ(byName["freeze_early"]["location"]["uri"], kUri);
  EXPECT_EQ(byName["freeze_early"]["location"]["range"]["start"], position(4, 7));
  ASSERT_TRUE(byName.count("freezer_net"));
  EXPECT_EQ(byName["freezer_net"]["kind"], 23); // Struct
  // layer_freezing is declared in the stdlib.
  ASSERT_TRUE(byName.count("layer_freezing")) << symbols.dump(2);
  EXPECT_NE(byName["layer_freezing"]["location"]["uri"].get<std::string>().find(
                "stdlib/methods.5r"),
            std::string::npos);
  for (const json& s : symbols) {
    std::string name = s["name"];
    EXPECT_NE(name.find("freez"), std::string::npos) << name;
  }
}
