// Each feature on an in-memory document checked against the real stdlib.
#include "editor/server/Analysis.h"
#include "editor/server/CodeActions.h"
#include "editor/server/Completion.h"
#include "editor/server/Diagnostics.h"
#include "editor/server/DocumentSymbols.h"
#include "editor/server/Folding.h"
#include "editor/server/Formatting.h"
#include "editor/server/Hover.h"
#include "editor/server/SemanticTokens.h"
#include "editor/server/XRefs.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace fiver::lsp;

namespace {
const std::string kStdlib = std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib";
const std::string kPath = "/nonexistent/lsp-test/doc.5r";

// Line 6 has a triple that does not match ema's declaration, after a comment
// whose characters take more bytes than UTF-16 units.
const std::string kRecipe =
    "// café ☕ notes\n"
    "recipe base {\n"
    "  task fashion_mnist\n"
    "  model small_cnn(width: 16)\n"
    "  optimizer sgd(lr: 0.1)\n"
    "  budget 2 epochs\n"
    "  /* é😀 */ reorder model_parameters dynamic domain ema(half_life: 10 steps)\n"
    "}\n"
    "recipe child extends base {\n"
    "  seed 1\n"
    "}\n";

std::shared_ptr<const Analysis> analyze(const std::string& text) {
  static fiver::ParseCache cache;
  return Analysis::build(kPath, text, kStdlib, {}, cache);
}

std::vector<std::string> labels(const std::vector<CompletionItem>& items) {
  std::vector<std::string> out;
  for (const CompletionItem& c : items)
    out.push_back(c.label);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The position at the end of the text (where completion is asked).
Position endOf(const std::string& text) {
  return LineIndex(text).positionAt(text.size());
}
} // namespace

TEST(Diagnostics, WrongTripleIsE0200AtItsUtf16Range) {
  auto a = analyze(kRecipe);
  std::vector<LspDiagnostic> diags = documentDiagnostics(*a);
  auto it = std::find_if(diags.begin(), diags.end(),
                         [](const LspDiagnostic& d) { return d.code == "E0200"; });
  ASSERT_NE(it, diags.end());
  // "  /* é😀 */ " is 15 bytes but 12 UTF-16 units.
  EXPECT_EQ(it->range.start, (Position{6, 12}));
  EXPECT_EQ(it->range.end.line, 6);
  EXPECT_EQ(it->severity, DiagnosticSeverity::Error);
  ASSERT_FALSE(it->relatedInformation.empty());
  EXPECT_NE(it->relatedInformation[0].location.uri.find("/methods/"), std::string::npos);
}

TEST(Diagnostics, CleanRecipeHasNone) {
  auto a = analyze("recipe r {\n  task fashion_mnist\n  model small_cnn\n  budget 2 epochs\n}\n");
  EXPECT_TRUE(documentDiagnostics(*a).empty());
}

TEST(CodeActions, OfferTheDeclaredTripleAsAPreferredFix) {
  auto a = analyze(kRecipe);
  std::vector<CodeAction> actions = codeActions(*a, "file:///doc.5r", {{6, 0}, {6, 80}});
  ASSERT_FALSE(actions.empty());
  const CodeAction& fix = actions[0];
  EXPECT_TRUE(fix.isPreferred);
  ASSERT_EQ(fix.edit.changes.at("file:///doc.5r").size(), 1u);
  EXPECT_EQ(fix.edit.changes.at("file:///doc.5r")[0].newText,
            "retrofit model_parameters dynamic domain");
  EXPECT_EQ(fix.diagnostics.at(0).code, "E0200");
  EXPECT_TRUE(codeActions(*a, "file:///doc.5r", {{2, 0}, {2, 1}}).empty());
}

TEST(Hover, MethodShowsItsCard) {
  auto a = analyze(kRecipe);
  auto h = hover(*a, {6, 53}); // inside `ema` (UTF-16 column)
  ASSERT_TRUE(h);
  EXPECT_NE(h->markdown.find("retrofit model_parameters dynamic domain"), std::string::npos);
  EXPECT_NE(h->markdown.find("half_life: duration = 100 steps"), std::string::npos);
  EXPECT_NE(h->markdown.find("n_iteration"), std::string::npos);
  // The survey's placement, quoted from the declaration.
  EXPECT_NE(h->markdown.find("**survey** §4.1.1 retrofit → model parameters"), std::string::npos)
      << h->markdown;
}

TEST(Hover, ParameterShowsTypeAndDefault) {
  auto a = analyze(kRecipe);
  auto h = hover(*a, {6, 58}); // `half_life`
  ASSERT_TRUE(h);
  EXPECT_NE(h->markdown.find("half_life: duration"), std::string::npos);
}

TEST(Hover, TaxonomyWordShowsItsMeaning) {
  auto a = analyze(kRecipe);
  auto h = hover(*a, {6, 22}); // `model_parameters`
  ASSERT_TRUE(h);
  EXPECT_NE(h->markdown.find("model_parameters"), std::string::npos);
  EXPECT_GT(h->markdown.size(), std::string("**model_parameters**: ").size());
}

TEST(Completion, FollowsTheShapeOfATriple) {
  auto a = analyze(kRecipe);
  std::string t = "recipe r {\n  retrofit ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "model_parameters"));
  t = "recipe r {\n  retrofit model_parameters ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "dynamic"));
  t = "recipe r {\n  retrofit model_parameters dynamic ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "domain"));
  t = "recipe r {\n  retrofit model_parameters dynamic domain ";
  std::vector<std::string> methods = labels(complete(*a, t, endOf(t)));
  EXPECT_TRUE(has(methods, "ema"));
  EXPECT_TRUE(has(methods, "swa"));
  EXPECT_FALSE(has(methods, "progressive_resize")); // another cell
  // A method the survey places in several cells is offered in each.
  for (const char* cell : {"retrofit training_objective static domain ",
                           "retrofit training_algorithm static domain "}) {
    t = std::string("recipe r {\n  ") + cell;
    EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "sam")) << cell;
  }
}

TEST(Completion, InsideParensOffersUnwrittenParametersAsSnippets) {
  auto a = analyze(kRecipe);
  std::string t =
      "recipe r {\n  reorder model_parameters dynamic domain layer_freezing(start: 50%, ";
  std::vector<CompletionItem> items = complete(*a, t, endOf(t));
  std::vector<std::string> names = labels(items);
  EXPECT_FALSE(has(names, "start"));
  ASSERT_TRUE(has(names, "end"));
  EXPECT_TRUE(items[0].snippet);
  EXPECT_NE(items[0].insertText.find("${1:"), std::string::npos);
}

TEST(Completion, SettingsAndTheirValues) {
  auto a = analyze(kRecipe);
  std::string t = "recipe r {\n  ";
  std::vector<std::string> start = labels(complete(*a, t, endOf(t)));
  EXPECT_TRUE(has(start, "budget"));
  EXPECT_TRUE(has(start, "retrofit"));
  t = "recipe r {\n  task ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "fashion_mnist"));
  t = "recipe r {\n  model ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "small_cnn"));
  t = "recipe r {\n  optimizer ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "adamw"));
  t = "recipe r {\n  model small_cnn(";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "width"));
  t = "recipe r extends ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "base"));
}

TEST(Completion, OnnxIsAModelThatCompletesAndHovers) {
  auto a = analyze(kRecipe);
  std::string t = "recipe r {\n  model ";
  std::vector<CompletionItem> items = complete(*a, t, endOf(t));
  auto it = std::find_if(items.begin(), items.end(),
                         [](const CompletionItem& c) { return c.label == "onnx"; });
  ASSERT_NE(it, items.end());
  EXPECT_TRUE(it->snippet);
  EXPECT_NE(it->documentation.find("head: keep | replace"), std::string::npos);

  auto b = analyze("recipe r {\n  task fashion_mnist\n  model onnx(\"m.onnx\")\n"
                   "  budget 2 epochs\n}\n");
  auto h = hover(*b, {2, 9}); // `onnx`
  ASSERT_TRUE(h);
  EXPECT_NE(h->markdown.find("imported from an ONNX file"), std::string::npos);
}

TEST(Completion, MethodDeclarationItemsAndTheirWords) {
  auto a = analyze(kRecipe);
  std::string t = "method m : restrict architecture static domain {\n  ";
  std::vector<std::string> items = labels(complete(*a, t, endOf(t)));
  EXPECT_TRUE(has(items, "inputs"));
  EXPECT_TRUE(has(items, "requires"));
  t = "method m : restrict architecture static domain {\n  inputs ";
  std::vector<std::string> kinds = labels(complete(*a, t, endOf(t)));
  EXPECT_TRUE(has(kinds, "images"));
  EXPECT_TRUE(has(kinds, "text"));
  t = "method m : restrict architecture static domain {\n  requires ";
  EXPECT_TRUE(has(labels(complete(*a, t, endOf(t))), "embedding"));
}

TEST(Completion, HoldoutIsOfferedAndExplainedOnHover) {
  auto a = analyze(kRecipe);
  std::string t = "recipe r {\n  ";
  std::vector<CompletionItem> items = complete(*a, t, endOf(t));
  auto it = std::find_if(items.begin(), items.end(),
                         [](const CompletionItem& c) { return c.label == "holdout"; });
  ASSERT_NE(it, items.end());
  EXPECT_NE(it->detail.find("evaluate on them"), std::string::npos);

  auto b = analyze("recipe r {\n  task fashion_mnist\n  model small_cnn\n  budget 2 epochs\n"
                   "  holdout 5000\n}\n");
  EXPECT_TRUE(documentDiagnostics(*b).empty());
  auto h = hover(*b, {4, 4}); // `holdout`
  ASSERT_TRUE(h);
  EXPECT_NE(h->markdown.find("the same for every recipe and seed"), std::string::npos);
}

TEST(Completion, NothingInsideCommentsOrStrings) {
  auto a = analyze(kRecipe);
  std::string t = "recipe r {\n  // retrofit ";
  EXPECT_TRUE(complete(*a, t, endOf(t)).empty());
  t = "method m : remove architecture static domain {\n  doc \"retrofit ";
  EXPECT_TRUE(complete(*a, t, endOf(t)).empty());
}

TEST(XRefs, DefinitionOfAStdlibMethodAndALocalRecipe) {
  auto a = analyze(kRecipe);
  std::vector<Location> ema = definition(*a, {6, 53});
  ASSERT_EQ(ema.size(), 1u);
  EXPECT_NE(ema[0].uri.find("methods/ema/ema.5r"), std::string::npos);
  std::vector<Location> base = definition(*a, {8, 23}); // `extends base`
  ASSERT_EQ(base.size(), 1u);
  EXPECT_EQ(base[0].range.start, (Position{1, 7}));
}

TEST(XRefs, ReferencesWithAndWithoutTheDeclaration) {
  auto a = analyze(kRecipe);
  EXPECT_EQ(references(*a, {1, 8}, true).size(), 2u);
  EXPECT_EQ(references(*a, {1, 8}, false).size(), 1u);
  // The task is used here and declared in the stdlib.
  EXPECT_GE(references(*a, {2, 8}, true).size(), 2u);
}

TEST(XRefs, RenameEditsEveryUseOfAWorkspaceName) {
  auto a = analyze(kRecipe);
  WorkspaceEdit edit = rename(*a, {1, 8}, "parent");
  ASSERT_EQ(edit.changes.size(), 1u);
  EXPECT_EQ(edit.changes.begin()->second.size(), 2u);
  EXPECT_THROW(rename(*a, {6, 53}, "average"), LspError); // declared in the stdlib
  EXPECT_THROW(rename(*a, {1, 8}, "not a name"), LspError);
}

TEST(DocumentSymbols, RecipesWithTheirItems) {
  auto a = analyze(kRecipe);
  std::vector<DocumentSymbol> symbols = documentSymbols(*a);
  ASSERT_EQ(symbols.size(), 2u);
  EXPECT_EQ(symbols[0].name, "base");
  EXPECT_EQ(symbols[0].children.size(), 5u);
  EXPECT_EQ(symbols[1].name, "child");
}

TEST(Folding, EachMultiLineBlock) {
  auto a = analyze(kRecipe);
  std::vector<FoldingRange> ranges = foldingRanges(*a);
  ASSERT_GE(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].startLine, 1);
  EXPECT_EQ(ranges[0].endLine, 6);
}

TEST(SemanticTokens, EncodesEveryNameRelatively) {
  auto a = analyze(kRecipe);
  std::vector<uint32_t> data = semanticTokens(*a);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data.size() % 5, 0u);
  // The first token is the recipe name `base` on line 1, column 7.
  EXPECT_EQ(data[0], 1u);
  EXPECT_EQ(data[1], 7u);
  EXPECT_EQ(data[2], 4u);
}

TEST(Formatting, WholeDocumentAndRange) {
  std::string messy = "recipe r {\n      task fashion_mnist\n  budget   2 epochs\n}\n";
  std::vector<TextEdit> all = formatDocument(kPath, messy);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].newText, "recipe r {\n  task fashion_mnist\n  budget 2 epochs\n}\n");
  std::vector<TextEdit> one = formatRange(kPath, messy, {{2, 0}, {2, 5}});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].range.start.line, 2);
  EXPECT_EQ(one[0].newText, "  budget 2 epochs");
  EXPECT_TRUE(formatDocument(kPath, "recipe r {\n").empty()); // does not parse: left alone
}
