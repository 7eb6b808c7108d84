#include "tests/runtime/TextPlans.h"

#include "tests/runtime/TestPlans.h"

namespace fiver::runtime::testing {

plan::Plan tinyGptPlan(const TinyGptOptions& o) {
  using plan::Scalar;
  plan::Plan p;
  p.recipe = "tiny_gpt";
  p.task.dataset = "synthetic_text";
  p.task.inputShape = {o.length};
  p.task.classes = o.vocab;
  p.task.testSize = o.testSize;
  setTimeline(p, o.trainSize, o.batchSize, o.totalSteps);
  p.training.evalBatchSize = 128;
  p.training.seed = 3;
  p.optimizer = {"adamw", {{"lr", Scalar::num(0.01)}, {"weight_decay", Scalar::num(0.01)}}};
  p.schedule = {"constant", {}};

  const std::vector<int64_t> features = {o.length, o.dim};
  p.ops.push_back(makeOp(0, "input", "input", {}, {}, {o.length}));
  p.ops.push_back(makeOp(1, "embedding", "embedding1", {0},
                         {{"vocab", Scalar::num(static_cast<double>(o.vocab))},
                          {"dim", Scalar::num(static_cast<double>(o.dim))},
                          {"positions", Scalar::num(static_cast<double>(o.length))}},
                         features));
  const plan::ScalarMap norm = {{"features", Scalar::num(static_cast<double>(o.dim))}};
  p.ops.push_back(makeOp(2, "layernorm", "layernorm1", {1}, norm, features));
  p.ops.push_back(makeOp(3, "causal_attention", "causal_attention1", {2},
                         {{"dim", Scalar::num(static_cast<double>(o.dim))},
                          {"heads", Scalar::num(static_cast<double>(o.heads))}},
                         features));
  p.ops.push_back(makeOp(4, "add", "add1", {3, 1}, {}, features));
  p.ops.push_back(makeOp(5, "layernorm", "layernorm2", {4}, norm, features));
  plan::ScalarMap linear = {{"in", Scalar::num(static_cast<double>(o.dim))},
                            {"out", Scalar::num(static_cast<double>(o.vocab))},
                            {"bias", Scalar::num(1)}};
  if (o.tied) linear["tied_to"] = Scalar::str("embedding1");
  p.ops.push_back(makeOp(6, "linear", "linear1", {5}, linear, {o.length, o.vocab}));
  return p;
}

} // namespace fiver::runtime::testing
