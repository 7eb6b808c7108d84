// The runtime's overhead: a plan without methods trained by the Trainer vs a
// hand-written LibTorch loop with the same model, data, optimizer, batch size
// and thread count. Rounds alternate between the two in one process, so a
// shared machine slows both alike; the ratio of the medians is the figure.
//
//   runtime_overhead [--rounds R] [--steps S] [--batch B]
#include "runtime/HostMemory.h"
#include "runtime/data/Dataset.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace fiver;
using Clock = std::chrono::steady_clock;

// tinyCnnPlan's graph, written by hand.
torch::nn::Sequential handModel() {
  namespace nn = torch::nn;
  auto conv = [](int64_t in, int64_t out) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(1).padding(1).bias(false));
  };
  return nn::Sequential(conv(1, 8), nn::BatchNorm2d(8), nn::ReLU(),
                        nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2)), conv(8, 16),
                        nn::BatchNorm2d(16), nn::ReLU(), nn::AdaptiveAvgPool2d(1), nn::Flatten(),
                        nn::Linear(16, 10));
}

// Seconds per step of the hand loop: shuffle each epoch, gather, forward,
// cross-entropy, backward, SGD step, read the loss (as the Trainer logs it).
double handSecondsPerStep(const plan::Plan& p, const runtime::Dataset& data, int64_t steps) {
  torch::manual_seed(p.training.seed);
  torch::nn::Sequential model = handModel();
  model->train();
  torch::optim::SGD sgd(
      model->parameters(),
      torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
  const runtime::Split& train = data.train;
  const int64_t batch = p.training.batchSize;
  std::vector<double> losses;
  auto start = Clock::now();
  int64_t step = 0;
  for (int64_t epoch = 0; step < steps; ++epoch) {
    torch::Tensor order = torch::randperm(train.size(), torch::kInt64);
    for (int64_t at = 0; at < train.size() && step < steps; at += batch, ++step) {
      torch::Tensor idx = order.narrow(0, at, std::min(batch, train.size() - at));
      torch::Tensor x = train.images.index_select(0, idx);
      torch::Tensor y = train.labels.index_select(0, idx);
      torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(x), y);
      loss.backward();
      sgd.step();
      sgd.zero_grad();
      losses.push_back(loss.item<double>());
    }
  }
  return std::chrono::duration<double>(Clock::now() - start).count() / static_cast<double>(steps);
}

double trainerSecondsPerStep(const plan::Plan& p, const runtime::Dataset& data) {
  runtime::TrainOptions o;
  o.threads = 1;
  o.quiet = true;
  o.evalEachEpoch = false;
  runtime::TrainResult r = runtime::train(p, o, &data);
  return r.trainSeconds / static_cast<double>(std::max<int64_t>(1, r.steps));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

} // namespace

int main(int argc, char** argv) {
  fiver::runtime::keepFreedHostMemory();
  int rounds = 5;
  int64_t steps = 100, batch = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--steps"))
      steps = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::stoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--rounds R] [--steps S] [--batch B]\n", argv[0]);
      return 2;
    }
  }
  torch::set_num_threads(1);
  runtime::testing::TinyPlanOptions po;
  po.trainSize = 2048;
  po.testSize = 256;
  po.batchSize = batch;
  po.totalSteps = steps;
  plan::Plan p = runtime::testing::tinyCnnPlan(po);
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);

  // One unmeasured round each warms the allocator and the kernels.
  trainerSecondsPerStep(p, data);
  handSecondsPerStep(p, data, steps);
  std::vector<double> trainer, hand;
  std::printf("runtime_overhead: batch %lld, %lld steps per run, 1 thread, %d rounds\n",
              static_cast<long long>(batch), static_cast<long long>(steps), rounds);
  for (int r = 0; r < rounds; ++r) {
    // Alternate which goes first so neither always follows the other.
    if (r % 2 == 0) {
      trainer.push_back(trainerSecondsPerStep(p, data));
      hand.push_back(handSecondsPerStep(p, data, steps));
    } else {
      hand.push_back(handSecondsPerStep(p, data, steps));
      trainer.push_back(trainerSecondsPerStep(p, data));
    }
    std::printf("round %d: trainer %.3f ms/step, hand loop %.3f ms/step, ratio %.3f\n", r,
                trainer.back() * 1e3, hand.back() * 1e3, trainer.back() / hand.back());
  }
  const double t = median(trainer), h = median(hand);
  std::printf("median: trainer %.3f ms/step, hand loop %.3f ms/step, ratio %.3f (%+.1f%%)\n",
              t * 1e3, h * 1e3, t / h, (t / h - 1) * 100);
  return 0;
}
