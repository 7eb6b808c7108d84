// The plan verifier accepts what lowering writes and names the op and the
// field of a hand edit that breaks a plan.
#include "compiler/plan/PlanVerifier.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

using namespace fiver;
using namespace fiver::test;

namespace {
plan::Plan compiled(const std::string& lines = "") {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = compileText(recipeWith(lines), diags);
  EXPECT_TRUE(p.has_value());
  return p ? *p : plan::Plan{};
}

plan::Op& firstOf(plan::Plan& p, const std::string& kind) {
  for (plan::Op& op : p.ops)
    if (op.kind == kind) return op;
  ADD_FAILURE() << "no " << kind;
  return p.ops.front();
}
} // namespace

TEST(PlanVerifier, AcceptsCompiledPlans) {
  EXPECT_TRUE(plan::verifyPlan(compiled()).empty());
  // Layouts and freezing change attributes, never shapes.
  EXPECT_TRUE(
      plan::verifyPlan(compiled("  reorder derived_data static domain channels_last\n"
                                "  reorder model_parameters dynamic domain layer_freezing\n"))
          .empty());
}

TEST(PlanVerifier, NamesTheOpAndTheFieldOfAnEdit) {
  plan::Plan p = compiled();
  plan::Op& conv = firstOf(p, "conv");
  const int64_t channels = conv.shape[0];
  conv.attrs["out"] = plan::Scalar::num(static_cast<double>(channels + 1));
  std::vector<std::string> problems = plan::verifyPlan(p);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "op " + std::to_string(conv.id) + " '" + conv.name +
                             "' (conv): 'out' is " + std::to_string(channels + 1) +
                             ", but its output shape has " + std::to_string(channels) +
                             " channels");
  EXPECT_THROW(plan::requireConsistentPlan(p, "plan.yaml"), plan::PlanError);
}

TEST(PlanVerifier, RefusesReadsOfLaterOps) {
  plan::Plan p = compiled();
  firstOf(p, "linear").inputs = {static_cast<int>(p.ops.size())};
  std::vector<std::string> problems = plan::verifyPlan(p);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("does not come before it"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("has no input"), std::string::npos) << problems[1];
}

TEST(PlanVerifier, ChecksLinearFeaturesAgainstTheInput) {
  plan::Plan p = compiled();
  firstOf(p, "linear").attrs["in"] = plan::Scalar::num(3);
  std::vector<std::string> problems = plan::verifyPlan(p);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("(linear): 'in' is 3, but its input has"), std::string::npos)
      << problems[0];
}
