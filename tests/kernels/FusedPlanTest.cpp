#include "runtime/model/PlanModel.h"

#include <gtest/gtest.h>

using namespace fiver;

namespace {

plan::Op makeOp(int id, std::string kind, std::string name, std::vector<int> inputs,
                plan::ScalarMap attrs = {}, std::vector<int64_t> shape = {}) {
  plan::Op op;
  op.id = id;
  op.kind = std::move(kind);
  op.name = std::move(name);
  op.inputs = std::move(inputs);
  op.attrs = std::move(attrs);
  op.shape = std::move(shape);
  return op;
}

// input -> conv -> fused(bn affine + relu) -> fused(residual add + relu) -> head
std::vector<plan::Op> fusedPlan(const std::string& expr) {
  using S = plan::Scalar;
  std::vector<plan::Op> ops;
  ops.push_back(makeOp(0, "input", "input", {}, {}, {1, 8, 8}));
  ops.push_back(makeOp(1, "conv", "conv1", {0},
                       {{"in", S::num(1)},
                        {"out", S::num(4)},
                        {"kernel", S::num(3)},
                        {"stride", S::num(1)},
                        {"padding", S::num(1)},
                        {"bias", S::num(0)}},
                       {4, 8, 8}));
  plan::Op bn = makeOp(2, "fused", "fused2", {1},
                       {{"params", S::str("bn1.scale,bn1.shift")},
                        {"saved", S::str("%0")},
                        {"ops", S::str("bn,relu")}},
                       {4, 8, 8});
  bn.expr = expr;
  ops.push_back(bn);
  plan::Op res = makeOp(3, "fused", "fused3", {2, 1}, {{"ops", S::str("add,relu")}}, {4, 8, 8});
  res.expr = "relu(add(%0,%1))";
  ops.push_back(res);
  ops.push_back(makeOp(4, "global_avgpool", "pool", {3}, {}, {4, 1, 1}));
  ops.push_back(makeOp(5, "flatten", "flat", {4}, {}, {4}));
  ops.push_back(makeOp(6, "linear", "fc", {5},
                       {{"in", S::num(4)}, {"out", S::num(3)}, {"bias", S::num(1)}}, {3}));
  return ops;
}

} // namespace

TEST(FusedPlan, RunsForwardAndTrainsFusedParameters) {
  torch::manual_seed(3);
  runtime::PlanModel model(fusedPlan("relu(add(mul(%0,@0),@1))"));
  auto params = model->parametersOf("fused2");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_TRUE(torch::equal(params[0], torch::ones({4})));
  EXPECT_TRUE(torch::equal(params[1], torch::zeros({4})));

  torch::Tensor x = torch::randn({2, 1, 8, 8});
  torch::Tensor y = model->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 3}));

  // Reference: the same network written with eager ops.
  auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(model->moduleOf("conv1"));
  auto fc = std::dynamic_pointer_cast<torch::nn::LinearImpl>(model->moduleOf("fc"));
  torch::Tensor c = conv->forward(x);
  torch::Tensor b = torch::relu(c * params[0].view({1, 4, 1, 1}) + params[1].view({1, 4, 1, 1}));
  torch::Tensor ref = fc->forward(torch::relu(b + c).mean({2, 3}));
  EXPECT_TRUE(torch::allclose(y, ref, 1e-5, 1e-6));

  y.sum().backward();
  ASSERT_TRUE(params[0].grad().defined());
  std::vector<torch::Tensor> leaves{params[0], params[1], conv->weight};
  std::vector<torch::Tensor> want = torch::autograd::grad({ref.sum()}, leaves);
  for (size_t i = 0; i < leaves.size(); ++i)
    EXPECT_TRUE(torch::allclose(leaves[i].grad(), want[i], 1e-4, 1e-5)) << i;
}

TEST(FusedPlan, RejectsMalformedExpressionNamingTheOp) {
  try {
    runtime::PlanModel model(fusedPlan("relu(add(mul(%0,@0),@1)"));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("fused op 'fused2': byte 23"), std::string::npos)
        << e.what();
  }
}
