// ghost_batchnorm's effect: the composition matrix's probe and recipe line,
// and the method's own tests (milliseconds each): each sub-batch is
// normalized with its own statistics, the running statistics take one update
// per sub-batch at the divided momentum, and a batch no larger than the ghost
// batch is plain batch norm.
#include "methods/ghost_batchnorm/Hook.h"
#include "tests/composition/Probes.h"

#include <gtest/gtest.h>

namespace fiver::composition {
namespace {

constexpr int64_t kGhostBatch = 4; // the recipe line's, a quarter of the matrix's batch of 16

// In training, the model's outputs for the batch's first sub-batch are what
// the model gives that sub-batch alone: no example outside it reaches its
// normalization. Checked on the step's final batch with the weights of the
// moment; the running statistics and the recorded input size are restored.
class OwnStatisticsProbe : public Probe {
public:
  void afterMethods(Event e, const TrainState& s) override {
    if (e != Event::BeforeForward || s.images.size(0) < 2 * kGhostBatch) return;
    torch::NoGradGuard noGrad;
    runtime::PlanModel& model = s.model;
    std::vector<torch::Tensor> buffers;
    for (const torch::Tensor& b : model->buffers())
      buffers.push_back(b.clone());
    const std::vector<int64_t> inputSize = model->lastInputSize;
    const torch::Tensor whole =
        model->forward(s.images).narrow(0, 0, kGhostBatch).to(torch::kFloat);
    const torch::Tensor alone =
        model->forward(s.images.narrow(0, 0, kGhostBatch)).to(torch::kFloat);
    auto saved = buffers.begin();
    for (torch::Tensor& b : model->buffers())
      b.copy_(*saved++);
    model->lastInputSize = inputSize;
    bool sixteenBits = false;
    for (const plan::Op& op : model->ops())
      sixteenBits = sixteenBits || op.dtype != "fp32";
    const double scale = 1 + alone.abs().max().item<double>();
    const double gap = (whole - alone).abs().max().item<double>();
    expect(gap <= (sixteenBits ? 3e-2 : 1e-4) * scale,
           "step " + std::to_string(s.step) + ": the first ghost batch's outputs depend on the " +
               "rest of the batch (gap " + std::to_string(gap) + ")");
  }
};

const EffectRegistrar kEffect(MethodUnderTest{
    "ghost_batchnorm",
    "restrict derived_data static domain ghost_batchnorm(ghost_batch: 4)",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<OwnStatisticsProbe>();
    }});

// --- the method's own tests ---

torch::nn::BatchNorm2d freshNorm() {
  torch::nn::BatchNorm2d bn(torch::nn::BatchNorm2dOptions(3));
  torch::NoGradGuard noGrad;
  bn->weight.uniform_(0.5, 1.5);
  bn->bias.uniform_(-0.5, 0.5);
  return bn;
}

TEST(GhostBatchNormEffect, EachSubBatchIsNormalizedWithItsOwnStatistics) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({16, 3, 5, 5}) * 2 + 1;
  torch::nn::BatchNorm2d ghost = freshNorm();
  torch::nn::BatchNorm2d plain = freshNorm();
  plain->weight.data().copy_(ghost->weight);
  plain->bias.data().copy_(ghost->bias);
  const torch::Tensor y = runtime::ghostBatchNorm(x, *ghost, 4);
  for (int64_t g = 0; g < 4; ++g) {
    torch::nn::BatchNorm2d alone = freshNorm();
    alone->weight.data().copy_(ghost->weight);
    alone->bias.data().copy_(ghost->bias);
    EXPECT_TRUE(
        torch::allclose(y.narrow(0, 4 * g, 4), alone->forward(x.narrow(0, 4 * g, 4)), 1e-5, 1e-5))
        << "sub-batch " << g;
  }
  // Plain batch norm mixes the whole batch's statistics into every example.
  EXPECT_FALSE(torch::allclose(y, plain->forward(x), 1e-3, 1e-3));
}

TEST(GhostBatchNormEffect, RunningStatisticsTakeOneUpdatePerSubBatchAtTheDividedMomentum) {
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({12, 3, 4, 4}) + 2;
  torch::nn::BatchNorm2d bn = freshNorm();
  runtime::ghostBatchNorm(x, *bn, 4);
  torch::Tensor mean = torch::zeros({3}), var = torch::ones({3});
  const double momentum = 0.1 / 3;
  for (const torch::Tensor& c : x.chunk(3, 0)) {
    const int64_t n = c.numel() / 3;
    mean = (1 - momentum) * mean + momentum * c.mean({0, 2, 3});
    var = (1 - momentum) * var + momentum * c.var({0, 2, 3}, /*unbiased=*/false) * n / (n - 1);
  }
  EXPECT_TRUE(torch::allclose(bn->running_mean, mean, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(bn->running_var, var, 1e-5, 1e-5));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
}

TEST(GhostBatchNormEffect, ABatchNoLargerThanTheGhostBatchIsPlainBatchNorm) {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({6, 3, 4, 4});
  torch::nn::BatchNorm2d ghost = freshNorm();
  torch::nn::BatchNorm2d plain = freshNorm();
  plain->weight.data().copy_(ghost->weight);
  plain->bias.data().copy_(ghost->bias);
  EXPECT_TRUE(torch::allclose(runtime::ghostBatchNorm(x, *ghost, 4), plain->forward(x)));
  EXPECT_TRUE(torch::allclose(ghost->running_mean, plain->running_mean));
}

} // namespace
} // namespace fiver::composition
