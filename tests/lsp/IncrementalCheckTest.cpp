// Recipe-by-recipe analysis gives exactly what analysing the whole document
// gives, edit after edit, while parsing and checking only what changed.
#include "editor/server/Analysis.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace fiver;
using namespace fiver::lsp;

namespace {

const std::string kPath = "/nonexistent/incremental/doc.5r";

// Every diagnostic with every position it holds, sorted (the two ways may
// report in a different order), and where each compiled method is written.
std::vector<std::string> summary(const Analysis& a) {
  auto at = [](const SourceRange& r) {
    std::ostringstream os;
    os << r.begin.file << ":" << r.begin.line << ":" << r.begin.column << "@" << r.begin.offset
       << "+" << r.length;
    return os.str();
  };
  std::vector<std::string> out;
  for (const Diagnostic& d : a.diagnostics().diagnostics()) {
    std::string s = at(d.range) + " " + std::to_string(static_cast<int>(d.id)) + " " + d.message;
    for (const DiagNote& n : d.notes)
      s += " | note " + at(n.range) + " " + n.message;
    for (const FixIt& f : d.fixits)
      s += " | fix " + at(f.range) + " " + f.replacement;
    out.push_back(s);
  }
  for (const CompiledRecipePtr& compiled : a.compiled()) {
    const CompiledRecipe& c = *compiled;
    std::string s = "recipe " + c.recipe.name + (c.training ? " compiled" : " failed");
    const ast::Recipe* decl = a.program().recipes.at(c.recipe.name);
    for (const MethodUse& m : c.recipe.methods)
      s += " " + m.name + "@" + at(c.moved(m.where, decl->range.begin));
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Incremental : public ::testing::Test {
protected:
  // Analyses `text` both ways and expects the same; returns the
  // incremental analysis.
  std::shared_ptr<const Analysis> expectSame(const std::string& text) {
    auto incremental = Analysis::build(kPath, text, test::stdlibDir(), {}, cache_, &document_);
    ParseCache fresh;
    auto whole = Analysis::build(kPath, text, test::stdlibDir(), {}, fresh);
    EXPECT_EQ(summary(*incremental), summary(*whole)) << text;
    return incremental;
  }
  ParseCache cache_;
  DocumentCaches document_;
};

const std::string kModel = "model narrow {\n"
                           "  conv(out: 8) relu\n"
                           "  flatten\n"
                           "  linear(out: classes)\n"
                           "}\n";
const std::string kBase = "recipe base {\n"
                          "  task fashion_mnist\n"
                          "  model small_cnn(width: 8)\n"
                          "  budget 1 epochs\n"
                          "}\n";
const std::string kChild = "recipe child extends base {\n"
                           "  reorder model_parameters dynamic domain layer_freezing(start: 90%, "
                           "end: 20%)\n"
                           "}\n";
const std::string kOther = "// a comment between recipes\n"
                           "recipe other extends base {\n"
                           "  model narrow\n"
                           "  reorder model_parameters dynamic domain ema\n"
                           "  retrofit model_parameters dynamic domain swa(start: 50%)\n"
                           "}\n";

} // namespace

TEST_F(Incremental, EditsInsideOneRecipeCheckOnlyItAndWhatExtendsIt) {
  std::string text = kModel + kBase + kChild + kOther;
  expectSame(text);
  const size_t parses = document_.recipes.parses(), checks = document_.checks.checks();
  EXPECT_EQ(parses, 3u);

  // Same length, inside `other`: only `other` again.
  std::string edited = text;
  edited.replace(edited.find("swa(start: 50%)"), 15, "swa(start: 60%)");
  expectSame(edited);
  EXPECT_EQ(document_.recipes.parses(), parses + 1);
  EXPECT_EQ(document_.checks.checks(), checks + 1);

  // A new line in `base`: base, and child and other that extend it.
  std::string longer = edited;
  longer.replace(longer.find("  budget 1 epochs\n"), 0, "  batch_size 64\n");
  expectSame(longer);
  EXPECT_EQ(document_.checks.checks(), checks + 4);

  // A longer value in `child`: `other` moves down a few bytes, unchanged.
  std::string moved = longer;
  moved.replace(moved.find("start: 90%"), 10, "start: 90.5%");
  expectSame(moved);
  EXPECT_EQ(document_.checks.checks(), checks + 5);

  // Lines added above everything: every recipe moves, none is checked again
  // (the model they read changed nowhere but in position).
  const size_t before = document_.checks.checks();
  expectSame("// header\n\n" + moved);
  EXPECT_LE(document_.checks.checks(), before + 1); // the model's own check
}

TEST_F(Incremental, ChangesOutsideRecipesAndBrokenTextAreCheckedWhole) {
  std::string text = kModel + kBase + kChild + kOther;
  expectSame(text);
  const size_t checks = document_.checks.checks();
  // The model `other` uses: everything again.
  std::string model = text;
  model.replace(model.find("conv(out: 8)"), 12, "conv(out: 4)");
  expectSame(model);
  EXPECT_GE(document_.checks.checks(), checks + 3);

  // A syntax error anywhere, then fixed again.
  std::string broken = model;
  broken.replace(broken.find("budget 1 epochs"), 15, "budget 1 epochs )");
  expectSame(broken);
  expectSame(model);
  // Two recipes of one name, and a recipe whose brace never closes.
  expectSame(model + "recipe base {\n  budget 2 epochs\n}\n");
  expectSame(model + "recipe open extends base {\n  budget 2 epochs\n");
}

TEST_F(Incremental, AModelErrorTwoRecipesShareAndAStudyStayAsWhole) {
  // `conv` after `flatten`: both recipes that use the model fail on it, and
  // the error is reported once, at the layer.
  const std::string model = "model broken {\n"
                            "  flatten\n"
                            "  conv(out: 8)\n"
                            "  linear(out: classes)\n"
                            "}\n";
  const std::string recipes = "recipe one {\n"
                              "  task fashion_mnist\n"
                              "  model broken\n"
                              "  budget 1 epochs\n"
                              "}\n"
                              "recipe two extends one {\n"
                              "  budget 2 epochs\n"
                              "}\n"
                              "recipe three extends one {\n"
                              "  model small_cnn(width: 8)\n"
                              "}\n";
  const std::string study = "study s {\n"
                            "  recipes [one, three]\n"
                            "  budgets [1 epochs, 2 epochs, 4 epochs]\n"
                            "  seeds [0]\n"
                            "  metric accuracy\n"
                            "}\n";
  std::string text = model + recipes + study;
  auto count = [](const Analysis& a, DiagId id) {
    return std::count_if(a.diagnostics().diagnostics().begin(), a.diagnostics().diagnostics().end(),
                         [&](const Diagnostic& d) { return d.id == id; });
  };
  EXPECT_EQ(count(*expectSame(text), DiagId::ShapeError), 1);
  // Fixing `three`'s neighbour `two` leaves the shared error where it was.
  std::string edited = text;
  edited.replace(edited.find("budget 2 epochs"), 15, "budget 3 epochs");
  expectSame(edited);
  // `one` changes model: nothing fails any more.
  std::string fixed = edited;
  fixed.replace(fixed.find("  model broken\n"), 15, "  model small_cnn\n");
  EXPECT_FALSE(expectSame(fixed)->diagnostics().hasErrors());
  // A study naming a recipe that is gone.
  std::string renamed = fixed;
  renamed.replace(renamed.find("recipe three"), 12, "recipe four");
  EXPECT_TRUE(expectSame(renamed)->diagnostics().hasErrors());
}

TEST_F(Incremental, ManyNewRecipesComeFromOneParse) {
  std::string text = kModel + kBase;
  for (int i = 0; i < 12; ++i)
    text += "recipe r" + std::to_string(i) +
            " extends base {\n"
            "  budget " +
            std::to_string(i + 1) +
            " epochs\n"
            "  reorder model_parameters dynamic domain layer_freezing(start: " +
            std::to_string(5 * i) + "%)\n}\n";
  expectSame(text);
  EXPECT_EQ(document_.recipes.parses(), 1u);
  std::string edited = text;
  edited.replace(edited.find("budget 7 epochs"), 15, "budget 70 epochs");
  expectSame(edited);
  EXPECT_EQ(document_.recipes.parses(), 2u);
}
