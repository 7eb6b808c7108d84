// The order of a recipe's lines never changes what trains: the checker orders
// methods by their stdlib phase, then by declared `after`, then by name.
#include "compiler/sema/HookPhase.h"
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace fiver;
using namespace fiver::test;

namespace {
const std::vector<std::string> kFiveHookMethods = {
    "  restrict derived_data static domain gradient_clipping(max_norm: 1.0)\n",
    "  retrofit training_algorithm static domain sam(rho: 0.05)\n",
    "  replace training_objective static domain label_smoothing(0.1)\n",
    "  retrofit model_parameters dynamic domain ema(half_life: 5%)\n",
    "  retrofit training_data dynamic domain mixup(alpha: 0.2)\n",
};

std::vector<std::string> methodOrder(const plan::Plan& p) {
  std::vector<std::string> names;
  for (const plan::Method& m : p.methods)
    names.push_back(m.name);
  return names;
}

std::map<std::string, MethodSignature> stdlibSignatures(Program& program) {
  SourceManager sources;
  DiagnosticEngine diags;
  program = loadProgram("<test>", std::string(), stdlibDir(), sources, diags);
  std::map<std::string, MethodSignature> out;
  for (const auto& [name, decl] : program.methods)
    if (auto sig = checkMethodDecl(*decl, diags)) out.emplace(name, std::move(*sig));
  EXPECT_EQ(diags.errorCount(), 0u);
  return out;
}
} // namespace

TEST(HookOrder, EveryPermutationOfFiveHookMethodsCompilesToTheSamePlan) {
  std::vector<size_t> order = {0, 1, 2, 3, 4};
  std::string first;
  int permutations = 0;
  do {
    std::string lines;
    for (size_t i : order)
      lines += kFiveHookMethods[i];
    DiagnosticEngine diags;
    std::optional<plan::Plan> p = compileText(recipeWith(lines), diags);
    ASSERT_TRUE(p.has_value()) << lines;
    p->sourceHash.clear(); // the hash of the recipe's text, which differs by design
    const std::string text = plan::planToString(*p);
    if (first.empty()) first = text;
    ASSERT_EQ(text, first) << "written as:\n" << lines;
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 120);
}

// Clipping written before sam used to clip a gradient that sam's second pass
// then replaced: the optimizer applied an unclipped gradient.
TEST(HookOrder, ClippingWrittenBeforeSamStillClipsTheGradientSamComputes) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = compileText(
      recipeWith(kFiveHookMethods[0] + kFiveHookMethods[1] + kFiveHookMethods[2]), diags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(methodOrder(*p),
            (std::vector<std::string>{"label_smoothing", "sam", "gradient_clipping"}));
}

TEST(HookOrder, PhasesOrderFirstThenAfterThenNames) {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p =
      compileText(recipeWith("  retrofit model_parameters dynamic domain ema(half_life: 5%)\n"
                             "  restrict derived_data static domain gradient_clipping\n"
                             "  restrict derived_data static domain gradient_centralization\n"
                             "  remove derived_data dynamic domain selective_backprop\n"
                             "  remove training_data dynamic domain cutout\n"
                             "  retrofit training_data dynamic domain cutmix\n"),
                  diags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(methodOrder(*p),
            (std::vector<std::string>{"cutmix", "cutout", "selective_backprop",
                                      "gradient_centralization", "gradient_clipping", "ema"}));
}

TEST(HookOrder, EveryStdlibHookMethodHasAPhaseAndEachAfterPointsNoLater) {
  Program program;
  const std::map<std::string, MethodSignature> methods = stdlibSignatures(program);
  ASSERT_FALSE(methods.empty());
  for (const auto& [name, sig] : methods) {
    if (sig.hooks.empty()) continue;
    EXPECT_GE(sig.phaseRank, 0) << name;
    for (const std::string& dep : sig.after) {
      ASSERT_TRUE(methods.count(dep)) << name << " runs after unknown " << dep;
      EXPECT_LE(methods.at(dep).phaseRank, sig.phaseRank)
          << name << " (" << sig.phase << ") declares `after " << dep << "` ("
          << methods.at(dep).phase << "), which its phase already puts later";
    }
  }
}

TEST(HookOrder, AMissingOrUnknownPhaseIsE0111) {
  const std::string hookWithout = "method clip_harder : restrict derived_data static domain {\n"
                                  "  lowers hook gradient_clipping\n}\n";
  CheckOutcome missing = checkText(hookWithout + recipeWith(""));
  EXPECT_TRUE(missing.has(DiagId::HookPhase)) << missing.rendered();
  const std::string unknown = "method clip_harder : restrict derived_data static domain {\n"
                              "  lowers hook gradient_clipping\n  phase gradients\n}\n";
  CheckOutcome wrong = checkText(unknown + recipeWith(""));
  ASSERT_TRUE(wrong.has(DiagId::HookPhase)) << wrong.rendered();
  EXPECT_NE(wrong.rendered().find("gradient_transform"), std::string::npos) << wrong.rendered();
}
