// Every op kind of the op table has the runtime's builder and runner, and a
// plan naming a kind the table lacks is refused when the model is built.
#include "runtime/model/OpBuilders.h"
#include "runtime/model/PlanModel.h"

#include <gtest/gtest.h>

namespace fiver::runtime {
namespace {

TEST(OpBuilders, EveryOpKindHasABuilderAndARunner) {
  for (plan::OpKind kind : plan::allOpKinds()) {
    const OpRuntime& row = opRuntime(kind);
    EXPECT_EQ(row.kind, kind) << plan::nameOf(kind);
    EXPECT_NE(row.build, nullptr) << plan::nameOf(kind);
    EXPECT_NE(row.run, nullptr) << plan::nameOf(kind);
  }
}

TEST(OpBuilders, AnUnknownKindIsRefusedByName) {
  plan::Op input;
  input.kind = "input";
  input.name = "input";
  input.shape = {4};
  plan::Op mystery;
  mystery.id = 1;
  mystery.kind = "mystery";
  mystery.name = "mystery1";
  mystery.inputs = {0};
  mystery.shape = {4};
  try {
    PlanModel model(std::vector<plan::Op>{input, mystery});
    FAIL() << "a model with an unknown op kind was built";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "the plan has an op of kind 'mystery', which this runtime cannot execute");
  }
}

TEST(OpBuilders, SimpleKindsRunFromTheirRows) {
  std::vector<plan::Op> ops(3);
  ops[0].kind = "input";
  ops[0].name = "input";
  ops[0].shape = {6};
  ops[1].id = 1;
  ops[1].kind = "relu";
  ops[1].name = "relu1";
  ops[1].inputs = {0};
  ops[1].shape = {6};
  ops[2].id = 2;
  ops[2].kind = "linear";
  ops[2].name = "linear1";
  ops[2].inputs = {1};
  ops[2].attrs = {
      {"in", plan::Scalar::num(6)}, {"out", plan::Scalar::num(3)}, {"bias", plan::Scalar::num(1)}};
  ops[2].shape = {3};
  PlanModel model(ops);
  torch::Tensor x = torch::randn({2, 6});
  torch::Tensor y = model->forward(x);
  std::vector<torch::Tensor> params = model->parametersOf("linear1");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_TRUE(torch::allclose(y, torch::relu(x).matmul(params[0].t()) + params[1]));
}

} // namespace
} // namespace fiver::runtime
