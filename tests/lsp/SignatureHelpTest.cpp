// Signature help over the protocol: inside a method's and a layer's
// parentheses the server shows the parameters, the one being written active.
#include "tests/lsp/LspProcess.h"

using namespace fiver::lsp::test;

namespace {
const std::string kText = "model m {\n"                                       // 0
                          "  conv(out: 8, kernel: 3)\n"                       // 1
                          "}\n"                                               // 2
                          "recipe r {\n"                                      // 3
                          "  task fashion_mnist\n"                            // 4
                          "  model m\n"                                       // 5
                          "  budget 1 epochs\n"                               // 6
                          "  retrofit model_parameters dynamic domain ema(\n" // 7
                          "  reorder model_parameters dynamic domain "
                          "layer_freezing(start: 50%, end: 90%)\n" // 8
                          "}\n";

json helpAt(LspProcess& lsp, int id, int line, int character) {
  lsp.request(id, "textDocument/signatureHelp",
              {{"textDocument", doc()}, {"position", position(line, character)}});
  return lsp.response(id)["result"];
}

std::string activeLabel(const json& help) {
  const json& sig = help["signatures"][0];
  json range = sig["parameters"][help["activeParameter"].get<int>()]["label"];
  std::string label = sig["label"];
  return label.substr(range[0].get<size_t>(), range[1].get<size_t>() - range[0].get<size_t>());
}
} // namespace

TEST(SignatureHelp, MethodAndLayerParametersWithTheActiveOne) {
  LspProcess lsp;
  lsp.initialize();
  lsp.open(kText);

  // Just after `ema(`: its one parameter, active.
  json ema = helpAt(lsp, 2, 7, 47);
  ASSERT_TRUE(ema.is_object()) << ema.dump();
  EXPECT_EQ(ema["signatures"][0]["label"], "ema(half_life: duration = 100 steps)");
  EXPECT_EQ(activeLabel(ema), "half_life: duration = 100 steps");
  EXPECT_NE(ema["signatures"][0]["documentation"]["value"].get<std::string>().find("method ema"),
            std::string::npos);

  // After `end: ` the named parameter is active, not the second by position.
  json freezing = helpAt(lsp, 3, 8, 74);
  ASSERT_TRUE(freezing.is_object()) << freezing.dump();
  EXPECT_EQ(activeLabel(freezing).rfind("end: percent", 0), 0u) << freezing.dump();

  // In a model, a layer's parameters: after `out: 8, ` the second one.
  json conv = helpAt(lsp, 4, 1, 15);
  ASSERT_TRUE(conv.is_object()) << conv.dump();
  EXPECT_EQ(conv["signatures"][0]["label"].get<std::string>().rfind("conv(out: ", 0), 0u);
  EXPECT_EQ(conv["activeParameter"], 1);

  // Outside any call: no help.
  EXPECT_TRUE(helpAt(lsp, 5, 4, 4).is_null());
}
