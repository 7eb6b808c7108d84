#include "runtime/methods/ExampleScores.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/metrics/FlopCounter.h"
#include "runtime/model/PlanModel.h"
#include "runtime/optim/LrSchedule.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/train/FlopCharges.h"
#include "runtime/train/Loss.h"

#include <stdexcept>

namespace fiver::runtime {

namespace {

// A forward (and backward) pass of a fresh model over `batch`.
double passFlops(const FlopCounter& costs, const torch::Tensor& batch, bool backward) {
  const PassSize size = passSizeOf(batch);
  return backward ? costs.trainingPassFlops(size.images, size.height, size.width)
                  : costs.forwardFlops(size.images, size.height, size.width);
}

// Trains `model` for `steps` plain steps (no augmentation, no methods),
// adding their FLOPs to `flops`.
void shortRun(const plan::Plan& p, PlanModel& model, const Split& train, int64_t steps,
              uint64_t seed, const FlopCounter& costs, double& flops) {
  if (steps <= 0) return;
  auto optimizer = makeOptimizer(p.optimizer, model);
  LrSchedule schedule(p.schedule, peakLearningRate(p.optimizer), p.training.totalSteps);
  BatchLoader loader(train, p.training.batchSize, seed);
  model->train();
  int64_t epoch = 0;
  loader.startEpoch(epoch);
  torch::Tensor x, y;
  for (int64_t step = 0; step < steps; ++step) {
    if (!loader.next(x, y)) {
      loader.startEpoch(++epoch);
      loader.next(x, y);
    }
    setLearningRate(*optimizer, schedule.at(step));
    optimizer->zero_grad();
    meanCrossEntropy(model->forward(x), y).backward();
    flops += passFlops(costs, x, true);
    optimizer->step();
  }
}

torch::Tensor scoreBatch(const std::string& score, const torch::Tensor& output,
                         const torch::Tensor& labels) {
  if (score == "loss") return crossEntropyPerExample(output, labels);
  // EL2N: the error vector's norm per prediction (per position of a
  // sequence, then averaged over the sequence).
  const int64_t classes = output.size(-1);
  torch::Tensor onehot = torch::one_hot(labels, classes).to(output.dtype());
  torch::Tensor norms = (torch::softmax(output, -1) - onehot).norm(2, {-1});
  return norms.dim() == 2 ? norms.mean(1) : norms;
}

} // namespace

void checkScoreName(const std::string& method, const std::string& score) {
  if (score != "el2n" && score != "loss")
    throw std::runtime_error("method '" + method + "': unknown score '" + score +
                             "' (known: el2n, loss)");
}

torch::Tensor scoreExamples(const plan::Plan& p, const Split& train, const ExampleScoring& how,
                            uint64_t seed, double* flops) {
  checkScoreName("scoring", how.score);
  const torch::Device device = train.images.device();
  torch::Tensor total = torch::zeros({train.size()}, torch::kFloat32);
  const int64_t runs = std::max<int64_t>(1, how.runs);
  const int64_t chunk = std::max<int64_t>(1, p.training.evalBatchSize);
  const FlopCounter costs(p);
  double executed = 0;
  for (int64_t run = 0; run < runs; ++run) {
    PlanModel model(p.ops); // a fresh initialization from torch's seeded generator
    model->to(device);
    shortRun(p, model, train, how.steps, seed * 7919 + static_cast<uint64_t>(run), costs, executed);
    torch::NoGradGuard noGrad;
    model->eval();
    for (int64_t start = 0; start < train.size(); start += chunk) {
      const int64_t n = std::min(chunk, train.size() - start);
      torch::Tensor out = model->forward(train.images.narrow(0, start, n));
      executed += passFlops(costs, train.images.narrow(0, start, n), false);
      total.narrow(0, start, n)
          .add_(scoreBatch(how.score, out.to(torch::kFloat32), train.labels.narrow(0, start, n))
                    .to(torch::kCPU));
    }
  }
  if (flops) *flops += executed;
  return total.div_(static_cast<double>(runs));
}

} // namespace fiver::runtime
