// Plan YAML: exact round trips of awkward values, and errors that name the
// file, line and column.
#include "compiler/plan/Plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace fiver;

namespace {

plan::Plan tinyPlan() {
  plan::Plan p;
  p.recipe = "tiny";
  p.sourceHash = "feed";
  p.task.dataset = "synthetic";
  p.task.inputShape = {1, 8, 8};
  p.task.classes = 2;
  p.task.trainSize = 64;
  p.training = {1, 4, 4, 16, 1024, 0, 0, "fp32"};
  p.optimizer = {"sgd", {{"lr", plan::Scalar::num(0.1)}}};
  p.schedule = {"constant", {}};
  plan::Op input;
  input.kind = "input";
  input.name = "input";
  input.shape = {1, 8, 8};
  plan::Op flatten;
  flatten.id = 1;
  flatten.kind = "flatten";
  flatten.name = "flatten1";
  flatten.inputs = {0};
  flatten.shape = {64};
  p.ops = {input, flatten};
  return p;
}

std::string errorOf(const std::string& text) {
  try {
    plan::parsePlan(text, "bad.yaml");
  } catch (const plan::PlanError& e) {
    return e.what();
  }
  return "accepted";
}

int lineOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

} // namespace

TEST(PlanYaml, AwkwardValuesRoundTripExactly) {
  plan::Plan p = tinyPlan();
  p.training.seed = std::numeric_limits<uint64_t>::max();
  p.training.timeLimitSeconds = std::numeric_limits<double>::infinity();
  p.ops[1].shape = {int64_t{1} << 62};
  p.provenance = {"quote \" backslash \\ newline \n tab \t", "ünïcode"};
  p.optimizer.params["odd key: yes"] = plan::Scalar::str("{not: a map}");
  p.optimizer.params["tiny"] = plan::Scalar::num(1e-300);
  p.optimizer.params["third"] = plan::Scalar::num(1.0 / 3.0);
  p.optimizer.params["number_as_text"] = plan::Scalar::str("0.5");
  std::string text = plan::planToString(p);
  plan::Plan back = plan::parsePlan(text, "mem.yaml");
  EXPECT_EQ(back, p);
  EXPECT_EQ(plan::planToString(back), text);
  EXPECT_TRUE(back.optimizer.params.at("number_as_text").isString);
}

TEST(PlanYaml, WritingIsDeterministic) {
  EXPECT_EQ(plan::planToString(tinyPlan()), plan::planToString(tinyPlan()));
  std::string text = plan::planToString(tinyPlan());
  EXPECT_NE(text.find("\n  - {id: 1, kind: \"flatten\", name: \"flatten1\", inputs: [0]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("optimizer: {kind: \"sgd\", params: {lr: 0.1}}"), std::string::npos) << text;
}

TEST(PlanYaml, ErrorsNameTheLineOfTheProblem) {
  std::string good = plan::planToString(tinyPlan());
  std::string wrongType = good;
  wrongType.replace(wrongType.find("classes: 2"), 10, "classes: two");
  std::string e = errorOf(wrongType);
  EXPECT_EQ(e.rfind("bad.yaml:" + std::to_string(lineOf(good, "classes:")) + ":", 0), 0u) << e;
  EXPECT_NE(e.find("task.classes"), std::string::npos) << e;

  std::string missing = good;
  missing.replace(missing.find("  metric:"), 2, "  #");
  EXPECT_NE(errorOf(missing).find("missing 'metric' in task"), std::string::npos);

  EXPECT_NE(errorOf("- just\n- a list\n").find("must be a map"), std::string::npos);
  EXPECT_NE(errorOf("version: 1\nrecipe: [\n").rfind("bad.yaml:", 0), std::string::npos);
  EXPECT_NE(errorOf("").find("bad.yaml"), std::string::npos);

  std::string badOrder = good;
  badOrder.replace(badOrder.find("{id: 1"), 6, "{id: 5");
  EXPECT_NE(errorOf(badOrder).find("op ids"), std::string::npos);
}

TEST(PlanYaml, OpDtypeIsWrittenOnlyWhenNotFp32) {
  plan::Plan p = tinyPlan();
  EXPECT_EQ(plan::planToString(p).find("dtype"), std::string::npos); // fp32 plans keep their bytes
  p.ops[1].dtype = "bf16";
  std::string text = plan::planToString(p);
  EXPECT_NE(text.find("expr: \"\", dtype: \"bf16\"}"), std::string::npos) << text;
  EXPECT_EQ(plan::parsePlan(text, "mem.yaml"), p);

  std::string bad = text;
  bad.replace(bad.find("\"bf16\"}"), 6, "\"fp8\"");
  std::string e = errorOf(bad);
  EXPECT_EQ(e.rfind("bad.yaml:" + std::to_string(lineOf(text, "dtype:")) + ":", 0), 0u) << e;
  EXPECT_NE(e.find("one of fp32, bf16, fp16"), std::string::npos) << e;
}
