// The whole pass pipeline, verified after every pass, on every stdlib model
// under every recipe in recipes/: as written, and with every architecture
// method added; each with op_fusion off and on. A combination may only fail
// with a user diagnostic (a model that cannot take progressive_resize's
// small images), never with a broken graph.
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

std::vector<std::string> declared(const fs::path& file, const std::string& keyword) {
  std::ifstream in(file);
  std::vector<std::string> names;
  const std::regex pattern("^" + keyword + " ([A-Za-z_][A-Za-z0-9_]*)");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, pattern)) names.push_back(m[1]);
  return names;
}

// Models that read token sequences (they start with an embedding) pair with
// the text recipes, the others with the image recipes: a model of the other
// kind is a user error (E0400/E0403) that sema tests cover.
std::vector<std::string> textModels(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> names;
  const std::regex declaration("^model ([A-Za-z_][A-Za-z0-9_]*)");
  std::smatch m;
  std::string current;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, declaration)) current = m[1];
    if (!current.empty() && line.find("embedding(") != std::string::npos) {
      names.push_back(current);
      current.clear();
    }
  }
  return names;
}

bool isTextRecipe(const fs::path& file) {
  const fs::path folder = file.parent_path();
  return folder.filename() == "text" || folder.parent_path().filename() == "text";
}

const std::vector<std::string> kArchitectureMethods = {
    "restrict model_parameters static domain factorize(rank: 0.5, min_channels: 8, min_features: "
    "8)",
    "replace architecture static domain blurpool",
    "retrofit architecture static domain squeeze_excite(reduction: 4, min_channels: 8)",
    "remove architecture dynamic domain stochastic_depth(drop: 0.2)",
    "restrict derived_data static domain mixed_precision",
};
// The architecture methods that fit a transformer (blurpool and
// squeeze_excite act on convolutions).
const std::vector<std::string> kTextArchitectureMethods = {
    "restrict model_parameters static domain factorize(rank: 0.5, min_channels: 8, min_features: "
    "8)",
    "remove architecture dynamic domain stochastic_depth(drop: 0.2)",
    "restrict derived_data static domain mixed_precision",
    "reorder model_parameters dynamic domain layer_freezing",
};

struct Outcome {
  bool compiled = false;
  bool onlyUserErrors = true;
  std::string rendered;
};

Outcome compile(const fs::path& file, const std::string& recipe, const std::string& model,
                bool addMethods, bool fuse) {
  SourceManager sources;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = file.string();
  req.recipe = recipe;
  req.stdlibDir = test::stdlibDir();
  req.overrides.push_back("model " + model);
  if (addMethods)
    for (const std::string& m :
         isTextRecipe(file) ? kTextArchitectureMethods : kArchitectureMethods)
      req.overrides.push_back(m);
  Outcome out;
  std::optional<CheckedRecipe> checked = checkRecipe(req, sources, diags);
  if (checked && !diags.hasErrors()) {
    CompileOptions options;
    options.fuse = fuse;
    options.verify = true;
    out.compiled = compileRecipe(*checked, options, diags).has_value();
  }
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && d.id != DiagId::ModelNeedsFixedSize)
      out.onlyUserErrors = false;
  // A failure without any diagnostic is the verifier rejecting a pass.
  if (!out.compiled && !diags.hasErrors()) out.onlyUserErrors = false;
  std::ostringstream os;
  renderDiagnostics(os, diags, sources);
  out.rendered = os.str();
  return out;
}

} // namespace

TEST(PipelineMatrix, EveryModelUnderEveryRecipeVerifies) {
  const std::vector<std::string> models = declared(test::stdlibDir() + "/models.5r", "model");
  const std::vector<std::string> text = textModels(test::stdlibDir() + "/models.5r");
  ASSERT_GE(models.size(), 3u);
  ASSERT_GE(text.size(), 1u);
  int compiled = 0, combinations = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::sourceDir() + "/recipes")) {
    if (entry.path().extension() != ".5r") continue;
    for (const std::string& recipe : declared(entry.path(), "recipe"))
      for (const std::string& model : models) {
        const bool textModel = std::find(text.begin(), text.end(), model) != text.end();
        if (textModel != isTextRecipe(entry.path())) continue;
        for (bool addMethods : {false, true})
          for (bool fuse : {false, true}) {
            Outcome o = compile(entry.path(), recipe, model, addMethods, fuse);
            ++combinations;
            compiled += o.compiled;
            EXPECT_TRUE(o.compiled || o.onlyUserErrors)
                << entry.path() << " recipe " << recipe << " model " << model
                << (addMethods ? " + architecture methods" : "") << (fuse ? " --fuse" : "") << "\n"
                << o.rendered;
          }
      }
  }
  EXPECT_GE(combinations, 7 * 3 * 4);
  // Only the models that flatten whole images refuse progressive_resize.
  EXPECT_GT(compiled, combinations / 2);
}
