#include "tests/support/CompileText.h"

#include <algorithm>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

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
  EXPECT_EQ(r->budget.amount, 10);     // overrides medium's 8 and the baseline's 12
  EXPECT_EQ(r->optimizer.kind, "sgd"); // inherited
  EXPECT_EQ(r->task.classes, 10);
  // Three from the baseline, one from mild, two from medium.
  ASSERT_EQ(r->methods.size(), 6u);
  auto resize = std::find_if(r->methods.begin(), r->methods.end(),
                             [](const auto& m) { return m.name == "progressive_resize"; });
  ASSERT_NE(resize, r->methods.end());
  EXPECT_EQ(resize->params.at("until").number, 50);
  EXPECT_EQ(resize->params.at("multiple").number, 4); // default filled in
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
  EXPECT_NE(d->notes[0].range.begin.file.find("/methods/"), std::string::npos);
  EXPECT_FALSE(out.recipe);
}

TEST(Sema, AMethodInSeveralSurveyCellsChecksInEach) {
  // The survey files SAM under retrofit -> training objective (§4.3.1) and
  // counts it among the more expensive optimizers (§6.1.11).
  for (const char* cell :
       {"retrofit training_objective static domain", "retrofit training_algorithm static domain"}) {
    auto out = checkText(recipeWith("  " + std::string(cell) + " sam\n"));
    ASSERT_TRUE(out.recipe) << cell << "\n" << out.rendered();
    ASSERT_EQ(out.recipe->methods.size(), 1u);
    EXPECT_EQ(toString(out.recipe->methods[0].triple), cell); // the cell the recipe chose
    // Both cells name sam their default, so the bare triple resolves to it too.
    auto bare = checkText(recipeWith("  " + std::string(cell) + "\n"));
    ASSERT_TRUE(bare.recipe) << bare.rendered();
    EXPECT_EQ(bare.recipe->methods.at(0).name, "sam");
  }
}

TEST(Sema, ATripleThatMovedToFollowTheSurveySaysSoAndOffersTheNewOne) {
  auto out = checkText(recipeWith("  remove training_data dynamic learned selective_backprop\n"));
  const Diagnostic* d = out.first(DiagId::TripleMismatch);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_NE(d->message.find("moved to follow the survey"), std::string::npos) << d->message;
  ASSERT_EQ(d->fixits.size(), 1u);
  EXPECT_EQ(d->fixits[0].replacement, "remove derived_data dynamic domain");
  ASSERT_EQ(d->notes.size(), 2u);
  EXPECT_NE(d->notes[1].message.find("§4.2"), std::string::npos) << d->notes[1].message;
  // A triple that was never the method's gets no such claim.
  auto other = checkText(recipeWith("  remove architecture dynamic domain selective_backprop\n"));
  const Diagnostic* o = other.first(DiagId::TripleMismatch);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->message.find("moved"), std::string::npos) << o->message;
}

TEST(Sema, ABareTripleWhoseDefaultMovedOffersItsNewCell) {
  auto out = checkText(recipeWith("  remove training_data dynamic learned\n"));
  const Diagnostic* d = out.first(DiagId::NoDefaultMethod);
  ASSERT_NE(d, nullptr) << out.rendered();
  ASSERT_EQ(d->fixits.size(), 1u);
  EXPECT_EQ(d->fixits[0].replacement, "remove derived_data dynamic domain selective_backprop");
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
  auto type =
      checkText(recipeWith("  replace training_objective static domain label_smoothing(\"x\")\n"));
  EXPECT_TRUE(type.has(DiagId::ParameterType)) << type.rendered();
  auto range =
      checkText(recipeWith("  replace training_objective static domain label_smoothing(0.9)\n"));
  EXPECT_TRUE(range.has(DiagId::ParameterRange)) << range.rendered();
  auto unknown =
      checkText(recipeWith("  retrofit model_parameters dynamic domain ema(half_lif: 5 steps)\n"));
  ASSERT_TRUE(unknown.has(DiagId::UnknownParameter));
  EXPECT_EQ(unknown.first(DiagId::UnknownParameter)->fixits.at(0).replacement, "half_life");
  auto dup = checkText(recipeWith(
      "  replace training_objective static domain label_smoothing(0.1, smoothing: 0.2)\n"));
  EXPECT_TRUE(dup.has(DiagId::DuplicateParameter));
  auto many = checkText(
      recipeWith("  replace training_objective static domain label_smoothing(0.1, 0.2)\n"));
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
  req.overrides = {"budget 1 epochs",
                   "reorder training_data dynamic domain progressive_resize(from: 0.25)"};
  req.drops = {"ema"};
  SourceManager sm;
  DiagnosticEngine diags;
  auto r = checkRecipe(req, sm, diags);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->budget.amount, 1);
  EXPECT_EQ(r->methods.size(), 5u); // fast's six, less ema; the resize replaced
  auto resize = std::find_if(r->methods.begin(), r->methods.end(),
                             [](const auto& m) { return m.name == "progressive_resize"; });
  ASSERT_NE(resize, r->methods.end());
  EXPECT_EQ(resize->params.at("from").number, 0.25);
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
  const std::vector<std::string> tokens = {"0",     "-1",     "1e9",     "50%",     "2 epochs", "x",
                                           "\"s\"", "[1, 2]", "f(a: 1)", "classes", "width * 0"};
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
  lowers hook ema; phase averaging
}
method second_thing : restrict derived_data static domain {
  lowers hook ema; phase averaging
}
)" + recipeWith("  retrofit training_algorithm static domain first_thing\n"
                "  restrict derived_data static domain second_thing\n"));
  ASSERT_TRUE(out.recipe) << out.rendered();
  ASSERT_EQ(out.recipe->methods.size(), 2u);
  EXPECT_EQ(out.recipe->methods[0].name, "second_thing");
  EXPECT_EQ(out.recipe->methods[1].name, "first_thing");
}

namespace {
// The 1-based line and column a diagnostic starts at, and how many bytes it covers.
struct Span {
  uint32_t line, column, length;
  bool operator==(const Span&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Span& s) {
  return os << s.line << ":" << s.column << "+" << s.length;
}
Span spanOf(const CheckOutcome& out, DiagId id) {
  const Diagnostic* d = out.first(id);
  if (!d) return {0, 0, 0};
  return {d->range.begin.line, d->range.begin.column, d->range.length};
}
} // namespace

TEST(Sema, UnknownNamesAreReportedAtTheName) {
  auto model = checkText(recipeWith("", "small_cn(width: 8)"));
  EXPECT_EQ(spanOf(model, DiagId::UnknownModel), (Span{3, 9, 8})) << model.rendered();
  EXPECT_EQ(model.first(DiagId::UnknownModel)->fixits.at(0).replacement, "small_cnn");

  auto task = checkText("recipe t {\n  task fashion\n  model mlp\n  budget 1 epochs\n}\n");
  EXPECT_EQ(spanOf(task, DiagId::UnknownTask), (Span{2, 8, 7})) << task.rendered();

  auto opt = checkText(recipeWith("  optimizer adam(lr: 0.1)\n"));
  EXPECT_EQ(spanOf(opt, DiagId::UnknownOptimizer), (Span{5, 13, 4})) << opt.rendered();
  EXPECT_EQ(opt.first(DiagId::UnknownOptimizer)->fixits.at(0).replacement, "adamw");

  auto sched = checkText(recipeWith("  schedule one_cylce\n"));
  EXPECT_EQ(spanOf(sched, DiagId::UnknownSchedule), (Span{5, 12, 9})) << sched.rendered();
  EXPECT_EQ(sched.first(DiagId::UnknownSchedule)->fixits.at(0).replacement, "one_cycle");

  auto setting = checkText(recipeWith("  batchsize 64\n"));
  EXPECT_EQ(spanOf(setting, DiagId::UnknownSetting), (Span{5, 3, 9})) << setting.rendered();
  EXPECT_EQ(setting.first(DiagId::UnknownSetting)->fixits.at(0).replacement, "batch_size");

  auto layer = checkText("model m { conv(out: 4) rleu flatten linear(out: classes) }\n" +
                         recipeWith("", "m"));
  EXPECT_EQ(spanOf(layer, DiagId::UnknownLayer), (Span{1, 24, 4})) << layer.rendered();
  EXPECT_EQ(layer.first(DiagId::UnknownLayer)->fixits.at(0).replacement, "relu");
}

TEST(Sema, SettingTypesAreChecked) {
  auto budget = checkText("recipe t {\n  task fashion_mnist\n  model mlp\n  budget 50%\n}\n");
  EXPECT_EQ(spanOf(budget, DiagId::SettingType), (Span{4, 10, 3})) << budget.rendered();
  auto seed = checkText(recipeWith("  seed -1\n"));
  EXPECT_TRUE(seed.has(DiagId::SettingType)) << seed.rendered();
  auto target = checkText(recipeWith("  target accuracy >= \"high\"\n"));
  EXPECT_EQ(spanOf(target, DiagId::SettingType), (Span{5, 22, 6})) << target.rendered();
  auto missing = checkText("recipe t {\n  budget 1 epochs\n}\n");
  EXPECT_EQ(spanOf(missing, DiagId::MissingSetting), (Span{1, 8, 1})) << missing.rendered();
}

TEST(Sema, RequiredMethodParameterMustBeGiven) {
  const std::string decl = "method warm : restrict training_algorithm static domain {\n"
                           "  param steps: int in [1, 100]\n"
                           "  lowers hook ema; phase averaging\n"
                           "}\n";
  auto out = checkText(decl + recipeWith("  restrict training_algorithm static domain warm\n"));
  EXPECT_EQ(spanOf(out, DiagId::MissingParameter), (Span{9, 45, 4})) << out.rendered();
  auto given =
      checkText(decl + recipeWith("  restrict training_algorithm static domain warm(7)\n"));
  ASSERT_TRUE(given.recipe) << given.rendered();
  EXPECT_EQ(given.recipe->methods[0].params.at("steps").number, 7);
  auto range =
      checkText(decl + recipeWith("  restrict training_algorithm static domain warm(0)\n"));
  EXPECT_EQ(spanOf(range, DiagId::ParameterRange), (Span{9, 50, 1})) << range.rendered();
}

TEST(Sema, AMethodIsAppliedOncePerRecipe) {
  auto out = checkText(recipeWith("  retrofit model_parameters dynamic domain ema\n"
                                  "  retrofit model_parameters dynamic domain\n"));
  const Diagnostic* d = out.first(DiagId::DuplicateMethod);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->range.begin.line, 6u);
  ASSERT_FALSE(d->notes.empty());
  EXPECT_EQ(d->notes[0].range.begin.line, 5u);
}

TEST(Sema, ABareTripleReplacesTheInheritedDefault) {
  auto out = checkText(R"(
recipe base {
  task fashion_mnist
  model small_cnn(width: 8)
  budget 4 epochs
  retrofit model_parameters dynamic domain ema(half_life: 10 steps)
}
recipe child extends base {
  retrofit model_parameters dynamic domain
}
)");
  ASSERT_TRUE(out.recipe) << out.rendered();
  ASSERT_EQ(out.recipe->methods.size(), 1u);
  EXPECT_EQ(out.recipe->methods[0].params.at("half_life").number, 100); // the default again
}

TEST(Sema, ConflictsAreFoundInEitherDirection) {
  // swa declares `conflicts ema` and ema declares `conflicts swa`; a method
  // declared here names its conflict on one side only.
  auto out = checkText("method avg2 : retrofit training_algorithm static domain {\n"
                       "  lowers hook ema; phase averaging\n}\n" +
                       recipeWith("  retrofit training_algorithm static domain avg2\n"
                                  "  retrofit model_parameters dynamic domain swa\n"
                                  "  retrofit model_parameters dynamic domain ema\n"));
  EXPECT_TRUE(out.has(DiagId::MethodConflict)) << out.rendered();
  auto oneSided = checkText("method lonely : retrofit training_algorithm static domain {\n"
                            "  conflicts ema\n  lowers hook ema; phase averaging\n}\n" +
                            recipeWith("  retrofit model_parameters dynamic domain ema\n"
                                       "  retrofit training_algorithm static domain lonely\n"));
  const Diagnostic* d = oneSided.first(DiagId::MethodConflict);
  ASSERT_NE(d, nullptr) << oneSided.rendered();
  EXPECT_EQ(d->range.begin.line, 10u);
}

TEST(Sema, ModelsExpandWithArithmeticRepeatsAndDefaults) {
  auto out = checkText(recipeWith("", "resnet_tiny(width: 4, blocks: 3)"));
  ASSERT_TRUE(out.recipe) << out.rendered();
  const auto& layers = out.recipe->model.layers;
  // stem (3) + 3 x (residual, relu) + residual, relu, residual, relu + pool, flatten, linear
  ASSERT_EQ(layers.size(), 3u + 6u + 4u + 3u);
  EXPECT_EQ(layers[0].args.at("out").number, 4);
  EXPECT_EQ(layers[0].args.at("padding").number, 1); // kernel / 2
  EXPECT_EQ(layers[3].kind, "residual");
  EXPECT_EQ(layers[3].body.size(), 5u);
  const LayerSpec& down = layers[9];
  EXPECT_EQ(down.kind, "residual");
  ASSERT_EQ(down.shortcut.size(), 2u);
  EXPECT_EQ(down.shortcut[0].args.at("out").number, 8);     // width * 2
  EXPECT_EQ(down.shortcut[0].args.at("padding").number, 0); // 1 / 2
  EXPECT_EQ(layers.back().args.at("out").number, 10);       // classes
  auto pool =
      checkText("model m { maxpool(3) flatten linear(out: classes) }\n" + recipeWith("", "m"));
  ASSERT_TRUE(pool.recipe) << pool.rendered();
  EXPECT_EQ(pool.recipe->model.layers[0].args.at("stride").number, 3); // stride = kernel
}

TEST(Sema, TheCheckedRecipeIsComplete) {
  auto out = checkText(R"(recipe full {
  task synthetic_images
  model mlp(hidden: 64)
  optimizer adamw(lr: 0.002)
  schedule cosine(warmup: 10%)
  augment [crop(padding: 2), flip(p: 0.25)]
  batch_size 64
  budget 300 steps
  seed 7
  train_subset 1000
  precision bf16
  target accuracy >= 80%
  reorder model_parameters dynamic domain layer_freezing(start: 50%)
})");
  ASSERT_TRUE(out.recipe) << out.rendered();
  const CheckedRecipe& r = *out.recipe;
  EXPECT_EQ(r.name, "full");
  EXPECT_EQ(r.file, "test.5r");
  EXPECT_EQ(r.sourceHash.size(), 16u);
  EXPECT_EQ(r.task.dataset, "synthetic");
  EXPECT_EQ(r.task.trainSize, 2048);
  EXPECT_EQ(r.task.inputShape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(r.model.args.at("hidden").number, 64);
  EXPECT_EQ(r.optimizer.kind, "adamw");
  EXPECT_EQ(r.optimizer.params.at("lr").number, 0.002);
  EXPECT_EQ(r.optimizer.params.at("beta2").number, 0.999); // default
  EXPECT_EQ(r.schedule.kind, "cosine");
  ASSERT_EQ(r.augment.size(), 2u);
  EXPECT_EQ(r.augment[1].params.at("p").number, 0.25);
  EXPECT_EQ(r.batchSize, 64);
  EXPECT_EQ(r.budget.amount, 300);
  EXPECT_EQ(r.budget.unit, Unit::Steps);
  EXPECT_EQ(r.seed, 7u);
  EXPECT_EQ(r.trainSubset, 1000);
  EXPECT_EQ(r.precision, "bf16");
  EXPECT_TRUE(r.target.present);
  EXPECT_DOUBLE_EQ(r.target.value, 0.8);
  ASSERT_EQ(r.methods.size(), 1u);
  const MethodUse& m = r.methods[0];
  EXPECT_EQ(toString(m.triple), "reorder model_parameters dynamic domain");
  EXPECT_EQ(m.params.at("start").unit, Unit::Percent);
  EXPECT_EQ(m.params.at("end").number, 90);
  EXPECT_EQ(m.passes, (std::vector<std::string>{"layer_freezing"}));
  EXPECT_EQ(m.hooks, (std::vector<std::string>{"layer_freezing"}));
  EXPECT_EQ(m.effects, (std::vector<std::string>{"T_i"}));
  // The defaults when the recipe says nothing.
  auto plain = checkText(recipeWith(""));
  ASSERT_TRUE(plain.recipe);
  EXPECT_EQ(plain.recipe->optimizer.kind, "sgd");
  EXPECT_EQ(plain.recipe->optimizer.params.at("weight_decay").number, 5e-4);
  EXPECT_EQ(plain.recipe->schedule.kind, "one_cycle");
  EXPECT_EQ(plain.recipe->schedule.params.at("warmup").number, 25);
}

TEST(Sema, SourceHashIsStableAndFollowsTheText) {
  auto a = checkText(recipeWith(""));
  auto b = checkText(recipeWith(""));
  auto c = checkText(recipeWith("  seed 1\n"));
  ASSERT_TRUE(a.recipe && b.recipe && c.recipe);
  EXPECT_EQ(a.recipe->sourceHash, b.recipe->sourceHash);
  EXPECT_NE(a.recipe->sourceHash, c.recipe->sourceHash);
}

TEST(Sema, ImportsAreRelativeAndCycleSafe) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("fiver_import_test_" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "base.5r") << "import \"../main.5r\"\n"
                                            "recipe base {\n  task fashion_mnist\n"
                                            "  model mlp\n  budget 1 epochs\n}\n";
  std::ofstream(dir / "main.5r") << "import \"sub/base.5r\"\nrecipe top extends base {\n"
                                    "  seed 3\n}\n";
  CheckRequest req;
  req.path = (dir / "main.5r").string();
  req.stdlibDir = stdlibDir();
  SourceManager sm;
  DiagnosticEngine diags;
  auto r = checkRecipe(req, sm, diags);
  fs::remove_all(dir);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "top");
  EXPECT_EQ(r->seed, 3u);
  EXPECT_EQ(r->budget.amount, 1);
}

TEST(Sema, CheckFileCoversUnusedDeclarations) {
  CheckRequest req;
  req.path = "decls.5r";
  req.text = "model m { conv(out: 4) bnn }\ntask t { dataset synthetic }\n";
  req.stdlibDir = stdlibDir();
  SourceManager sm;
  DiagnosticEngine diags;
  EXPECT_FALSE(checkFile(req, sm, diags));
  bool layer = false, task = false;
  for (const Diagnostic& d : diags.diagnostics()) {
    layer |= d.id == DiagId::UnknownLayer;
    task |= d.id == DiagId::MissingSetting;
  }
  EXPECT_TRUE(layer);
  EXPECT_TRUE(task);
}

// Byte flips, insertions, deletions and truncations of the sketch's files
// go through parsing and checking; none may crash or point outside the text.
TEST(Sema, SurvivesTwoThousandByteMutations) {
  struct Seed {
    std::string path, text;
  };
  std::vector<Seed> seeds;
  for (const char* f : {"/recipes/fmnist/fast.5r", "/recipes/fmnist/baseline.5r",
                        "/methods/gradual_magnitude_pruning/gradual_magnitude_pruning.5r",
                        "/stdlib/models.5r", "/stdlib/tasks.5r"}) {
    std::ifstream in(sourceDir() + f);
    seeds.push_back({sourceDir() + f, std::string((std::istreambuf_iterator<char>(in)),
                                                  std::istreambuf_iterator<char>())});
  }
  std::mt19937 rng(2024);
  for (int i = 0; i < 2000; ++i) {
    const Seed& seed = seeds[i % seeds.size()];
    std::string text = seed.text;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
      case 0:
        text[at] = static_cast<char>(rng() % 256);
        break;
      case 1:
        text[at] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 2:
        text.erase(at, 1 + rng() % 16);
        break;
      case 3:
        text.resize(at);
        break;
      }
    }
    SourceManager sm;
    DiagnosticEngine diags;
    CheckRequest req;
    req.path = seed.path; // imports resolve next to the real file
    req.text = text;
    req.stdlibDir = stdlibDir();
    checkRecipe(req, sm, diags);
    DiagnosticEngine fileDiags;
    checkFile(req, sm, fileDiags);
    std::ostringstream rendered;
    renderDiagnostics(rendered, fileDiags, sm); // quoting lines must stay in bounds
    for (const Diagnostic& d : diags.diagnostics()) {
      if (d.range.valid() && d.range.begin.file == seed.path) {
        EXPECT_LE(d.range.begin.offset + d.range.length, text.size() + 1) << d.message;
      }
    }
  }
}

TEST(Sema, UnexecutableHooksAreFlagged) {
  auto out = checkText("method later : restrict training_algorithm static domain {\n"
                       "  lowers hook not_a_runtime_hook; phase update\n}\n" +
                       recipeWith("  restrict training_algorithm static domain later\n"));
  ASSERT_TRUE(out.recipe) << out.rendered(); // a warning: the recipe still checks
  const Diagnostic* d = out.first(DiagId::HookNotExecutable);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_EQ(d->range.begin.line, 8u);
  EXPECT_EQ(d->range.begin.column, 45u);
}

TEST(Sema, WeightTyingWithoutAnEmbeddingIsRejectedAtTheMethodLine) {
  auto out = checkText(recipeWith("  restrict architecture static domain weight_tying\n"));
  const Diagnostic* d = out.first(DiagId::NothingToTie);
  ASSERT_NE(d, nullptr) << out.rendered();
  EXPECT_EQ(d->range.begin.line, 5u);
  EXPECT_EQ(d->range.begin.column, 3u + std::string("restrict architecture static domain ").size());
  EXPECT_NE(d->message.find("small_cnn"), std::string::npos) << d->message;
  ASSERT_EQ(d->notes.size(), 2u);
  EXPECT_EQ(d->notes[0].range.begin.line, 3u); // the model line
}
