#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

using namespace fiver;
using namespace fiver::test;

TEST(Sema, ResolvesTheFastRecipe) {
  CheckRequest req;
  req.path = sourceDir() + "/recipes/fmnist/fast.5r";
  req.stdlibDir = stdlibDir();
  SourceManager sm;
  DiagnosticEngine diags;
  auto r = checkRecipe(req, sm, diags);
  ASSERT_TRUE(r) << diags.diagnostics().size();
  EXPECT_EQ(r->name, "fmnist_fast");
  EXPECT_EQ(r->budget.amount, 3); // overrides the baseline's 4
  EXPECT_EQ(r->optimizer.kind, "sgd"); // inherited
  EXPECT_EQ(r->task.classes, 10);
  ASSERT_EQ(r->methods.size(), 4u);
  EXPECT_EQ(r->methods[0].name, "progressive_resize");
  EXPECT_EQ(r->methods[0].params.at("until").number, 50);
  EXPECT_EQ(r->methods[0].params.at("multiple").number, 4); // default filled in
  // The model's last layer got the task's class count.
  EXPECT_EQ(r->model.layers.back().kind, "linear");
  EXPECT_EQ(r->model.layers.back().args.at("out").number, 10);
}

TEST(Sema, WrongTripleIsReportedAtTheTripleWithAFix) {
  auto out = checkText(recipeWith("  remove training_data dynamic domain progressive_resize\n"));
  const Diagnostic* d = out.first(DiagId::TripleMismatch);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->range.begin.line, 5u);
  EXPECT_EQ(d->range.begin.column, 3u);
  EXPECT_EQ(d->range.length, std::string("remove training_data dynamic domain").size());
  ASSERT_EQ(d->fixits.size(), 1u);
  EXPECT_EQ(d->fixits[0].replacement, "reorder training_data dynamic domain");
  EXPECT_EQ(d->fixits[0].applicability, Applicability::MachineApplicable);
  ASSERT_FALSE(d->notes.empty());
  EXPECT_NE(d->notes[0].range.begin.file.find("methods.5r"), std::string::npos);
  EXPECT_FALSE(out.recipe);
}

TEST(Sema, MisspeltNamesGetSuggestions) {
  auto out = checkText(recipeWith("  retrofit model_parameters dynamic domain emaa\n"
                                  "  reorder trainig_data dynamic domain progressive_resize\n"));
  const Diagnostic* m = out.first(DiagId::UnknownMethod);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->fixits.at(0).replacement, "ema");
  const Diagnostic* w = out.first(DiagId::UnknownTaxonomyWord);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->fixits.at(0).replacement, "training_data");
  EXPECT_EQ(w->range.begin.line, 6u);
  EXPECT_EQ(w->range.begin.column, 11u);
}

TEST(Sema, ParametersAreTypedAndRanged) {
  auto type = checkText(recipeWith("  replace training_objective static domain label_smoothing(\"x\")\n"));
  EXPECT_TRUE(type.has(DiagId::ParameterType)) << type.rendered();
  auto range = checkText(recipeWith("  replace training_objective static domain label_smoothing(0.9)\n"));
  EXPECT_TRUE(range.has(DiagId::ParameterRange)) << range.rendered();
  auto unknown = checkText(recipeWith("  retrofit model_parameters dynamic domain ema(half_lif: 5 steps)\n"));
  ASSERT_TRUE(unknown.has(DiagId::UnknownParameter));
  EXPECT_EQ(unknown.first(DiagId::UnknownParameter)->fixits.at(0).replacement, "half_life");
  auto dup = checkText(recipeWith("  replace training_objective static domain label_smoothing(0.1, smoothing: 0.2)\n"));
  EXPECT_TRUE(dup.has(DiagId::DuplicateParameter));
  auto many = checkText(recipeWith("  replace training_objective static domain label_smoothing(0.1, 0.2)\n"));
  EXPECT_TRUE(many.has(DiagId::TooManyArguments));
  auto missing = checkText(recipeWith("", "small_cnn(width: 8)\n  optimizer sgd(lr: \"fast\")"));
  EXPECT_TRUE(missing.has(DiagId::ParameterType));
}

TEST(Sema, RequiredParametersAndSettings) {
  auto out = checkText("recipe r {\n  task fashion_mnist\n}\n");
  EXPECT_TRUE(out.has(DiagId::MissingSetting));
  auto layer = checkText(recipeWith("", "mlp(hidden: 0.5)"));
  EXPECT_TRUE(layer.has(DiagId::ParameterType)) << layer.rendered();
}

TEST(Sema, ConflictsAreCompileTimeErrors) {
  auto out = checkText(recipeWith("  retrofit model_parameters dynamic domain ema\n"
                                  "  retrofit model_parameters dynamic domain swa\n"));
  const Diagnostic* d = out.first(DiagId::MethodConflict);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->range.begin.line, 6u);
  ASSERT_FALSE(d->notes.empty());
  EXPECT_EQ(d->notes[0].range.begin.line, 5u);
}

TEST(Sema, BareTripleResolvesToTheCellDefault) {
  auto out = checkText(recipeWith("  retrofit model_parameters dynamic domain\n"));
  ASSERT_TRUE(out.recipe) << out.rendered();
  ASSERT_EQ(out.recipe->methods.size(), 1u);
  EXPECT_EQ(out.recipe->methods[0].name, "ema");
  auto none = checkText(recipeWith("  restrict training_algorithm static learned\n"));
  EXPECT_TRUE(none.has(DiagId::NoDefaultMethod));
}

TEST(Sema, ExtendsOverridesAndDrops) {
  auto out = checkText(R"(
recipe base {
  task fashion_mnist
  model small_cnn(width: 8)
  budget 4 epochs
  retrofit model_parameters dynamic domain ema(half_life: 10 steps)
  replace training_objective static domain label_smoothing(0.1)
}
recipe child extends base {
  budget 2 epochs
  retrofit model_parameters dynamic domain ema(half_life: 20 steps)
  drop label_smoothing
}
)");
  ASSERT_TRUE(out.recipe) << out.rendered();
  EXPECT_EQ(out.recipe->budget.amount, 2);
  ASSERT_EQ(out.recipe->methods.size(), 1u);
  EXPECT_EQ(out.recipe->methods[0].params.at("half_life").number, 20);
}

TEST(Sema, CommandLineOverrides) {
  CheckRequest req;
  req.path = sourceDir() + "/recipes/fmnist/fast.5r";
  req.stdlibDir = stdlibDir();
  req.overrides = {"budget 1 epochs", "reorder training_data dynamic domain progressive_resize(from: 0.25)"};
  req.drops = {"ema"};
  SourceManager sm;
  DiagnosticEngine diags;
  auto r = checkRecipe(req, sm, diags);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->budget.amount, 1);
  EXPECT_EQ(r->methods.size(), 3u);
  EXPECT_EQ(r->methods[0].params.at("from").number, 0.25);
  EXPECT_EQ(r->provenance.size(), 3u);
}

TEST(Sema, DuplicateDefinitionsPointAtBoth) {
  auto out = checkText("model small_cnn { flatten linear(out: classes) }\n" + recipeWith(""));
  const Diagnostic* d = out.first(DiagId::DuplicateDefinition);
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->notes.empty());
}

TEST(Sema, TheStandardLibraryChecksClean) {
  for (const auto& entry : std::filesystem::directory_iterator(stdlibDir())) {
    CheckRequest req;
    req.path = entry.path().string();
    req.stdlibDir = stdlibDir();
    SourceManager sm;
    DiagnosticEngine diags;
    EXPECT_TRUE(checkFile(req, sm, diags)) << entry.path();
    EXPECT_TRUE(diags.diagnostics().empty()) << entry.path();
  }
}

// Mutations that still parse reach sema; none may crash it.
TEST(Sema, SurvivesMutatedRecipes) {
  std::ifstream in(sourceDir() + "/recipes/fmnist/baseline.5r");
  std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  seed += "\nrecipe x extends fmnist_baseline {\n"
          "  reorder training_data dynamic domain progressive_resize(from: 0.5, until: 50%)\n"
          "  retrofit model_parameters dynamic domain ema(half_life: 2 epochs)\n}\n";
  std::mt19937 rng(99);
  const std::vector<std::string> tokens = {"0", "-1", "1e9", "50%", "2 epochs", "x", "\"s\"",
                                           "[1, 2]", "f(a: 1)", "classes", "width * 0"};
  for (int i = 0; i < 400; ++i) {
    std::string text = seed;
    size_t at = rng() % text.size();
    size_t len = rng() % 6;
    text.replace(at, std::min(len, text.size() - at), tokens[rng() % tokens.size()]);
    checkText(text); // must return, whatever it reports
  }
}

TEST(Sema, AfterRelationsOrderTheMethods) {
  auto out = checkText(R"(
method first_thing : retrofit training_algorithm static domain {
  after second_thing
  lowers hook ema
}
method second_thing : restrict derived_data static domain {
  lowers hook ema
}
)" + recipeWith("  retrofit training_algorithm static domain first_thing\n"
                "  restrict derived_data static domain second_thing\n"));
  ASSERT_TRUE(out.recipe) << out.rendered();
  ASSERT_EQ(out.recipe->methods.size(), 2u);
  EXPECT_EQ(out.recipe->methods[0].name, "second_thing");
  EXPECT_EQ(out.recipe->methods[1].name, "first_thing");
}
