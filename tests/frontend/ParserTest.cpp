#include "compiler/frontend/Parser.h"
#include "compiler/format/Formatter.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

using namespace fiver;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ast::File parse(const std::string& text, DiagnosticEngine& diags) {
  return parseFile("t.5r", text, diags);
}

} // namespace

TEST(Parser, AcceptsTheShippedFiles) {
  for (const char* f :
       {"/methods/ema/ema.5r", "/methods/sam/sam.5r", "/stdlib/models.5r", "/stdlib/tasks.5r",
        "/recipes/fmnist/baseline.5r", "/recipes/fmnist/fast.5r"}) {
    DiagnosticEngine diags;
    std::string path = std::string(FIVER_TEST_SOURCE_DIR) + f;
    parseFile(path, readFile(path), diags);
    EXPECT_TRUE(diags.diagnostics().empty()) << f;
  }
}

TEST(Parser, BuildsRecipeItems) {
  DiagnosticEngine diags;
  ast::File f = parse(R"(recipe r extends base {
  budget 8 epochs
  target accuracy >= 93%
  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 75%)
  reorder derived_data static domain channels_last
  retrofit model_parameters dynamic domain
  drop ema
})",
                      diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(f.recipes.size(), 1u);
  const ast::Recipe& r = f.recipes[0];
  EXPECT_EQ(r.base->text, "base");
  ASSERT_EQ(r.items.size(), 6u);
  EXPECT_EQ(r.items[0].kind, ast::RecipeItem::Kind::Setting);
  EXPECT_EQ(r.items[0].value.number, 8);
  EXPECT_EQ(r.items[0].value.unit, Unit::Epochs);
  EXPECT_EQ(r.items[1].kind, ast::RecipeItem::Kind::Target);
  EXPECT_EQ(r.items[1].value.unit, Unit::Percent);
  ASSERT_EQ(r.items[2].kind, ast::RecipeItem::Kind::Triple);
  EXPECT_EQ(r.items[2].triple.method->name.text, "progressive_resize");
  EXPECT_EQ(r.items[2].triple.method->args.size(), 2u);
  EXPECT_EQ(r.items[3].triple.method->name.text, "channels_last");
  EXPECT_FALSE(r.items[4].triple.method.has_value()); // bare triple: the cell's default
  EXPECT_EQ(r.items[5].kind, ast::RecipeItem::Kind::Drop);
}

TEST(Parser, SettingsAreNotMistakenForTriples) {
  DiagnosticEngine diags;
  ast::File f = parse("recipe r {\n task fashion_mnist\n model small_cnn(width: 32)\n}", diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(f.recipes[0].items.size(), 2u);
  EXPECT_EQ(f.recipes[0].items[1].value.kind, ast::Value::Kind::Call);
}

TEST(Parser, PositionsAreOneBasedByteColumns) {
  DiagnosticEngine diags;
  // "é" is two bytes: the error column counts bytes.
  parse("// é\nrecipe r {\n  budget 4 epochs )\n}", diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  const Diagnostic& d = diags.diagnostics()[0];
  EXPECT_EQ(d.id, DiagId::SyntaxError);
  EXPECT_EQ(d.range.begin.line, 3u);
  EXPECT_EQ(d.range.begin.column, 19u);
}

TEST(Parser, RejectsUnterminatedStringsAndComments) {
  for (const char* text : {"task t { path \"abc\n}", "/* never closed\nrecipe r {}"}) {
    DiagnosticEngine diags;
    parse(text, diags);
    ASSERT_EQ(diags.diagnostics().size(), 1u) << text;
    EXPECT_EQ(diags.diagnostics()[0].id, DiagId::UnterminatedString);
    EXPECT_EQ(diags.diagnostics()[0].range.begin.line, 1u);
  }
}

TEST(Parser, RejectsStrayCharactersAndDeepNesting) {
  DiagnosticEngine a;
  parse("recipe r { budget 4 epochs $ }", a);
  ASSERT_FALSE(a.diagnostics().empty());
  EXPECT_EQ(a.diagnostics()[0].range.begin.column, 28u);

  DiagnosticEngine b;
  parse("model m { conv(out: " + std::string(5000, '(') + "1" + std::string(5000, ')') + ") }", b);
  EXPECT_TRUE(b.hasErrors());
}

TEST(Parser, ImportRangeIsThePath) {
  DiagnosticEngine diags;
  ast::File f = parse("import \"base.5r\"\nrecipe r extends base { budget 1 epochs }", diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(f.imports.size(), 1u);
  EXPECT_EQ(f.imports[0].path, "base.5r");
  EXPECT_EQ(f.imports[0].range.begin.column, 8u);
  EXPECT_EQ(f.imports[0].range.length, 9u);
}

TEST(Parser, AMethodMayDeclareSeveralTriplesItsSurveyPlacementAndItsFormerTriple) {
  DiagnosticEngine diags;
  ast::File f = parse(R"(method sam : retrofit training_objective static domain default
                   | retrofit training_algorithm static domain {
  survey "§4.3.1: \"retrofits the training objective\""
  formerly retrofit training_algorithm static domain
})",
                      diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(f.methods.size(), 1u);
  const ast::MethodDecl& m = f.methods[0];
  ASSERT_EQ(m.triples.size(), 2u);
  EXPECT_EQ(m.triples[0].component.text, "training_objective");
  EXPECT_TRUE(m.triples[0].isDefault);
  EXPECT_EQ(m.triples[1].component.text, "training_algorithm");
  EXPECT_FALSE(m.triples[1].isDefault);
  EXPECT_EQ(m.triples[1].range.begin.line, 2u);
  // The primary triple is the first.
  EXPECT_EQ(m.component.text, "training_objective");
  EXPECT_TRUE(m.isDefault);
  EXPECT_EQ(m.survey, "§4.3.1: \"retrofits the training objective\"");
  ASSERT_TRUE(m.formerly.has_value());
  EXPECT_EQ(m.formerly->component.text, "training_algorithm");
}

// `when` limits the conflicts of its list to one value of the named
// methods' parameter; `when` stays usable as a name.
TEST(Parser, ConflictsThatDependOnAParameter) {
  DiagnosticEngine diags;
  ast::File f = parse(R"(method m : retrofit training_data static domain {
  conflicts x, y when stage == example
  conflicts z
  param when: name = now
})",
                      diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  const ast::MethodDecl& m = f.methods.at(0);
  EXPECT_EQ(m.conflicts.size(), 3u);
  ASSERT_EQ(m.conflictConditions.size(), 2u);
  EXPECT_EQ(m.conflictConditions.at("y").param.text, "stage");
  EXPECT_EQ(m.conflictConditions.at("x").value.text, "example");
  EXPECT_EQ(m.conflictConditions.count("z"), 0u);
  EXPECT_EQ(m.params.at(0).name.text, "when");
}

TEST(Parser, MethodDeclarationsAndModels) {
  DiagnosticEngine diags;
  ast::File f = parse(R"(method m : retrofit model_parameters dynamic domain default {
  param half_life: duration = 100 steps in [1, 1e6]; param p: float
  effect T_i, n_iteration
  lowers pass a, hook b
  conflicts x, y
  after z
  doc "d" cite "c"
}
model net(width: int = 8) {
  conv(out: width * 2 + 1, kernel: 3) bn relu
  residual { conv(out: width) } shortcut { conv(out: width, kernel: 1) }
  repeat 2 { relu }
})",
                      diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  ASSERT_EQ(f.methods.size(), 1u);
  const ast::MethodDecl& m = f.methods[0];
  EXPECT_TRUE(m.isDefault);
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0].defaultValue->unit, Unit::Steps);
  EXPECT_TRUE(m.params[0].high.has_value());
  EXPECT_FALSE(m.params[1].defaultValue.has_value());
  EXPECT_EQ(m.effects.size(), 2u);
  ASSERT_EQ(m.lowerings.size(), 2u);
  EXPECT_EQ(m.lowerings[1].kind.text, "hook");
  EXPECT_EQ(m.conflicts.size(), 2u);
  EXPECT_EQ(m.doc, "d");
  EXPECT_EQ(m.cite, "c");
  ASSERT_EQ(f.models.size(), 1u);
  const auto& layers = f.models[0].layers;
  ASSERT_EQ(layers.size(), 5u);
  EXPECT_EQ(layers[0].args[0].value.kind, ast::Value::Kind::Binary);
  EXPECT_EQ(layers[3].kind, ast::Layer::Kind::Residual);
  EXPECT_TRUE(layers[3].hasShortcut);
  EXPECT_EQ(layers[4].kind, ast::Layer::Kind::Repeat);
}

TEST(Parser, KeywordsAreSoftNames) {
  DiagnosticEngine diags;
  ast::File f =
      parse("task model { dataset steps metric epochs }\nrecipe default { task model }", diags);
  ASSERT_TRUE(diags.diagnostics().empty());
  EXPECT_EQ(f.tasks[0].name.text, "model");
  EXPECT_EQ(f.recipes[0].name.text, "default");
}

TEST(Parser, MalformedNumbersAreE0004) {
  DiagnosticEngine glued;
  parse("recipe r {\n  budget 30s\n}", glued);
  ASSERT_EQ(glued.diagnostics().size(), 1u);
  const Diagnostic& d = glued.diagnostics()[0];
  EXPECT_EQ(d.id, DiagId::InvalidNumber);
  EXPECT_EQ(d.range.begin.line, 2u);
  EXPECT_EQ(d.range.begin.column, 10u);
  EXPECT_EQ(d.range.length, 3u);
  ASSERT_EQ(d.fixits.size(), 1u);
  EXPECT_EQ(d.fixits[0].replacement, "30 s");

  DiagnosticEngine dots;
  parse("recipe r { seed 1.2.3 }", dots);
  ASSERT_EQ(dots.diagnostics().size(), 1u);
  EXPECT_EQ(dots.diagnostics()[0].id, DiagId::InvalidNumber);
  EXPECT_TRUE(dots.diagnostics()[0].fixits.empty());

  DiagnosticEngine fine; // exponents, separators and percentages are numbers
  ast::File f = parse("recipe r { a 5e-4 b 1e9 c 60_000 d 75% e 1. }", fine);
  EXPECT_TRUE(fine.diagnostics().empty());
  ASSERT_EQ(f.recipes[0].items.size(), 5u);
  EXPECT_EQ(f.recipes[0].items[2].value.number, 60000);
}

TEST(Parser, LongExpectedSetsAreLeftOut) {
  DiagnosticEngine diags;
  parse("recipe r {\n  budget 4 epochs )\n}", diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].message, "unexpected ')'");
}

TEST(Parser, OverrideEntryRule) {
  DiagnosticEngine diags;
  auto item = parseRecipeItem("<override>", "budget 2 epochs", diags);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->key.text, "budget");
  EXPECT_FALSE(parseRecipeItem("<override>", "budget 2 epochs extra )", diags).has_value());
  EXPECT_TRUE(diags.hasErrors());
}

// Random byte flips, insertions and truncations of real files never crash the
// parser, and every diagnostic points inside the text.
TEST(Parser, SurvivesMutatedInput) {
  std::vector<std::string> seeds;
  for (const char* f : {"/methods/gradual_magnitude_pruning/gradual_magnitude_pruning.5r",
                        "/stdlib/models.5r", "/recipes/fmnist/fast.5r"})
    seeds.push_back(readFile(std::string(FIVER_TEST_SOURCE_DIR) + f));
  std::mt19937 rng(1234);
  const std::string alphabet = "{}()[]:;,=%\"/*\n abc019_-.";
  for (int i = 0; i < 2000; ++i) {
    std::string text = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
      case 0:
        text[at] = static_cast<char>(rng() % 256);
        break;
      case 1:
        text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        break;
      case 2:
        text.erase(at, 1 + rng() % 8);
        break;
      case 3:
        text.resize(at);
        break;
      }
    }
    DiagnosticEngine diags;
    parse(text, diags);
    for (const Diagnostic& d : diags.diagnostics()) {
      if (d.range.valid()) {
        EXPECT_LE(d.range.begin.offset, text.size());
      }
    }
  }
}

TEST(Formatter, CanonicalLayoutKeepsComments) {
  DiagnosticEngine diags;
  auto out = formatSource(
      "t.5r",
      "// head\n\n\n\nrecipe   r{\n      budget 4 epochs // trailing\n"
      "reorder training_data dynamic domain progressive_resize( from:0.5 ,until:75 % )\n"
      "/* block */ }\nmodel m(w: int = -2){conv(out: w*2) bn}\n",
      diags);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out,
            "// head\n\nrecipe r {\n  budget 4 epochs // trailing\n"
            "  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 75%)\n"
            "  /* block */ }\nmodel m(w: int = -2) { conv(out: w * 2) bn }\n");
  DiagnosticEngine again;
  EXPECT_EQ(formatSource("t.5r", *out, again), out); // idempotent
}

TEST(Formatter, RefusesFilesThatDoNotParse) {
  DiagnosticEngine diags;
  EXPECT_FALSE(formatSource("t.5r", "recipe r { budget 4 epochs )", diags).has_value());
  EXPECT_TRUE(diags.hasErrors());
}

// Items are bound to their line: a setting, drop or target whose value is
// missing is reported at the end of its own line, not at the next line.
TEST(Parser, AnItemMissingItsValueIsReportedOnItsLine) {
  for (const char* item : {"seed", "drop", "target accuracy >="}) {
    DiagnosticEngine diags;
    std::string text = std::string("recipe r {\n  ") + item + "\n  budget 2 epochs\n}\n";
    parse(text, diags);
    ASSERT_EQ(diags.errorCount(), 1u) << item;
    const Diagnostic& d = diags.diagnostics()[0];
    EXPECT_EQ(d.id, DiagId::SyntaxError);
    EXPECT_EQ(d.range.begin.line, 2u) << item;
    EXPECT_EQ(d.range.begin.column, 3u + std::string(item).size()) << item;
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0].range.begin.line, 3u);
  }
}

TEST(Parser, AValueOnItsLineStillParses) {
  DiagnosticEngine diags;
  ast::File f = parse("recipe r {\n  seed 3\n  drop ema\n  budget 2 epochs\n}\n", diags);
  EXPECT_FALSE(diags.hasErrors());
  ASSERT_EQ(f.recipes.size(), 1u);
  EXPECT_EQ(f.recipes[0].items.size(), 3u);
}
