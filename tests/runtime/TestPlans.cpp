#include "tests/runtime/TestPlans.h"

#include "tests/support/StdlibDefaults.h"

#include <stdexcept>

namespace fiver::runtime::testing {

plan::Op makeOp(int id, std::string kind, std::string name, std::vector<int> inputs,
                plan::ScalarMap attrs, std::vector<int64_t> shape) {
  plan::Op op;
  op.id = id;
  op.kind = std::move(kind);
  op.name = std::move(name);
  op.inputs = std::move(inputs);
  op.attrs = std::move(attrs);
  op.shape = std::move(shape);
  return op;
}

void setTimeline(plan::Plan& p, int64_t trainSize, int64_t batchSize, int64_t totalSteps) {
  p.task.trainSize = trainSize;
  p.training.batchSize = batchSize;
  p.training.stepsPerEpoch = (trainSize + batchSize - 1) / batchSize;
  p.training.totalSteps = totalSteps;
  p.training.epochs = (totalSteps + p.training.stepsPerEpoch - 1) / p.training.stepsPerEpoch;
}

namespace {

// An op of the CNN, in NHWC when the plan asks for channels-last.
plan::Op cnnOp(int id, std::string kind, std::string name, std::vector<int> inputs,
               plan::ScalarMap attrs, std::vector<int64_t> shape, bool channelsLast) {
  plan::Op op = testing::makeOp(id, std::move(kind), std::move(name), std::move(inputs),
                                std::move(attrs), std::move(shape));
  bool spatial = op.shape.size() == 3 && op.kind != "input";
  op.memoryFormat = channelsLast && spatial ? "channels_last" : "contiguous";
  return op;
}

plan::ScalarMap conv(double in, double out) {
  using plan::Scalar;
  return {{"in", Scalar::num(in)},    {"out", Scalar::num(out)},   {"kernel", Scalar::num(3)},
          {"stride", Scalar::num(1)}, {"padding", Scalar::num(1)}, {"bias", Scalar::num(0)}};
}

} // namespace

plan::Plan tinyCnnPlan(const TinyPlanOptions& o) {
  using plan::Scalar;
  plan::Plan p;
  p.recipe = "tiny";
  p.task.dataset = o.dataset;
  p.task.path = kFashionMnistDir;
  p.task.inputShape = {1, 28, 28};
  p.task.classes = 10;
  p.task.testSize = o.testSize;
  setTimeline(p, o.trainSize, o.batchSize, o.totalSteps);
  p.training.evalBatchSize = 256;
  p.training.seed = 7;

  p.optimizer = {"sgd",
                 {{"lr", Scalar::num(0.05)},
                  {"momentum", Scalar::num(0.9)},
                  {"nesterov", Scalar::num(1)},
                  {"weight_decay", Scalar::num(5e-4)}}};
  p.schedule = {"constant", {}};

  const bool cl = o.channelsLast;
  p.ops.push_back(cnnOp(0, "input", "input", {}, {}, {1, 28, 28}, false));
  p.ops.push_back(cnnOp(1, "conv", "conv1", {0}, conv(1, 8), {8, 28, 28}, cl));
  p.ops.push_back(cnnOp(2, "bn", "bn1", {1}, {{"features", Scalar::num(8)}}, {8, 28, 28}, cl));
  p.ops.push_back(cnnOp(3, "relu", "relu1", {2}, {}, {8, 28, 28}, cl));
  p.ops.push_back(cnnOp(4, "maxpool", "maxpool1", {3},
                        {{"kernel", Scalar::num(2)}, {"stride", Scalar::num(2)}}, {8, 14, 14}, cl));
  p.ops.push_back(cnnOp(5, "conv", "conv2", {4}, conv(8, 16), {16, 14, 14}, cl));
  p.ops.push_back(cnnOp(6, "bn", "bn2", {5}, {{"features", Scalar::num(16)}}, {16, 14, 14}, cl));
  p.ops.push_back(cnnOp(7, "relu", "relu2", {6}, {}, {16, 14, 14}, cl));
  if (o.residual) {
    p.ops.push_back(cnnOp(8, "conv", "conv3", {7}, conv(16, 16), {16, 14, 14}, cl));
    p.ops.push_back(cnnOp(9, "bn", "bn3", {8}, {{"features", Scalar::num(16)}}, {16, 14, 14}, cl));
    p.ops.push_back(cnnOp(10, "relu", "relu3", {9}, {}, {16, 14, 14}, cl));
    p.ops.push_back(cnnOp(11, "add", "add1", {10, 7}, {}, {16, 14, 14}, cl));
  }
  if (o.headless) return p;
  const int last = static_cast<int>(p.ops.size()) - 1;
  p.ops.push_back(cnnOp(last + 1, o.globalPool, o.globalPool + "1", {last}, {}, {16, 1, 1}, cl));
  p.ops.push_back(cnnOp(last + 2, "flatten", "flatten1", {last + 1}, {}, {16}, false));
  p.ops.push_back(cnnOp(
      last + 3, "linear", "linear1", {last + 2},
      {{"in", Scalar::num(16)}, {"out", Scalar::num(10)}, {"bias", Scalar::num(1)}}, {10}, false));
  return p;
}

void addMethod(plan::Plan& p, const std::string& name, plan::ScalarMap params) {
  p.methods.push_back(
      plan::Method{name, "", test::withStdlibDefaults(name, std::move(params), p), {name}});
}

plan::Op& opNamed(plan::Plan& p, const std::string& name) {
  for (plan::Op& op : p.ops)
    if (op.name == name) return op;
  throw std::runtime_error("no op named " + name);
}

} // namespace fiver::runtime::testing
