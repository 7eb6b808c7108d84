// Fused optimizer steps against torch::optim: after 20 steps on random
// gradients, parameters and state match within 1e-6 of each tensor's scale,
// for SGD (plain, momentum, nesterov, weight decay, dampening) and AdamW,
// over empty, single-element, odd-sized, channels-last and multi-chunk
// tensors, with a parameter that misses gradients on some steps. A saved
// fused optimizer resumes in a new one as if never interrupted.
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"
#include "tests/kernels/KernelTestSupport.h"

#include <gtest/gtest.h>

#include <sstream>

namespace fiver::runtime {
namespace {

using kerneltest::copies;
using kerneltest::groupsOf;
using kerneltest::optimizerParams;
using kerneltest::relativeError;
using kerneltest::setGradients;

template <typename Fused, typename Reference, typename Options>
void compareSteps(const Options& decay, const Options& noDecay, int threads,
                  torch::ScalarType dtype = torch::kFloat) {
  const int savedThreads = torch::get_num_threads();
  torch::set_num_threads(threads);
  std::vector<torch::Tensor> a = optimizerParams(torch::kCPU, dtype), b = copies(a);
  Fused fused(groupsOf(a, decay, noDecay), decay);
  Reference reference(groupsOf(b, decay, noDecay), decay);
  kerneltest::stepBoth(fused, reference, a, b, 20);
  kerneltest::expectOptimizerStateClose(a, b, fused, reference, 1e-6);
  torch::set_num_threads(savedThreads);
}

using torch::optim::AdamWOptions;
using torch::optim::SGDOptions;

TEST(FusedSgd, PlainMatchesTorch) {
  compareSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1), SGDOptions(0.1), 1);
}

TEST(FusedSgd, MomentumMatchesTorch) {
  compareSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1).momentum(0.9),
                                            SGDOptions(0.1).momentum(0.9), 2);
}

TEST(FusedSgd, NesterovWithWeightDecayMatchesTorch) {
  compareSteps<FusedSgd, torch::optim::SGD>(
      SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4),
      SGDOptions(0.05).momentum(0.9).nesterov(true), 2);
}

TEST(FusedSgd, WeightDecayWithoutMomentumAndDampeningMatchTorch) {
  compareSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1).weight_decay(1e-2),
                                            SGDOptions(0.1).momentum(0.8).dampening(0.3), 1);
}

TEST(FusedAdamW, MatchesTorch) {
  compareSteps<FusedAdamW, torch::optim::AdamW>(
      AdamWOptions(1e-3).weight_decay(0.05),
      AdamWOptions(1e-3).betas({0.8, 0.99}).eps(1e-6).weight_decay(0), 2);
}

TEST(FusedAdamW, DefaultsOnOneThreadMatchTorch) {
  compareSteps<FusedAdamW, torch::optim::AdamW>(AdamWOptions(3e-3), AdamWOptions(3e-3), 1);
}

// Double parameters take torch's own step: the results are torch's exactly.
TEST(FusedSgd, OtherDtypesFallBackToTorch) {
  compareSteps<FusedSgd, torch::optim::SGD>(SGDOptions(0.1).momentum(0.9),
                                            SGDOptions(0.1).momentum(0.9), 1, torch::kDouble);
}

TEST(FusedAdamW, AmsgradFallsBackToTorch) {
  compareSteps<FusedAdamW, torch::optim::AdamW>(AdamWOptions(1e-3).amsgrad(true),
                                                AdamWOptions(1e-3).amsgrad(true), 1);
}

// 10 steps, save, load into a fresh optimizer over copied parameters, 10
// more: the same as 20 uninterrupted steps.
template <typename Fused, typename Options>
void resumeMatchesUninterrupted(const Options& decay, const Options& noDecay) {
  std::vector<torch::Tensor> a = optimizerParams(), b = copies(a);
  Fused uninterrupted(groupsOf(a, decay, noDecay), decay);
  auto first = std::make_unique<Fused>(groupsOf(b, decay, noDecay), decay);
  for (int step = 0; step < 10; ++step) {
    setGradients(step, a, b);
    uninterrupted.step();
    first->step();
  }
  std::stringstream saved;
  {
    torch::serialize::OutputArchive archive;
    first->save(archive);
    archive.save_to(saved);
  }
  std::vector<torch::Tensor> c = copies(b);
  Fused resumed(groupsOf(c, decay, noDecay), decay);
  torch::serialize::InputArchive archive;
  archive.load_from(saved);
  resumed.load(archive);
  for (int step = 10; step < 20; ++step) {
    setGradients(step, a, c);
    uninterrupted.step();
    resumed.step();
  }
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::equal(a[i], c[i])) << "param " << i;
}

TEST(FusedSgd, CheckpointResumes) {
  resumeMatchesUninterrupted<FusedSgd>(SGDOptions(0.1).momentum(0.9).nesterov(true),
                                       SGDOptions(0.1).momentum(0.9).nesterov(true));
}

TEST(FusedAdamW, CheckpointResumes) {
  resumeMatchesUninterrupted<FusedAdamW>(AdamWOptions(1e-3).weight_decay(0.05),
                                         AdamWOptions(1e-3).weight_decay(0));
}

// Gradients laid out unlike their channels-last parameters, as cuDNN returns
// them: a 1x1 convolution's (strides differ only in size-1 dimensions, same
// memory order) and a 3x3 one's (a different order, copied into the
// parameter's). Both still take the fused step, and match torch.
TEST(FusedSgd, GradientsLaidOutUnlikeTheirParametersStillFuse) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> a = {
      torch::empty_strided({8, 4, 1, 1}, {4, 1, 4, 4}).normal_(),
      torch::randn({6, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast)};
  for (torch::Tensor& p : a)
    p.set_requires_grad(true);
  std::vector<torch::Tensor> b;
  for (const torch::Tensor& p : a) // same strides as a's
    b.push_back(torch::empty_like(p).copy_(p.detach()).set_requires_grad(true));
  const auto options = SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-3);
  FusedSgd fused(a, options);
  torch::optim::SGD reference(b, options);
  testing::internal::CaptureStderr();
  for (int step = 0; step < 5; ++step) {
    for (size_t i = 0; i < a.size(); ++i) {
      torch::Tensor g = torch::randn(a[i].sizes()); // contiguous
      ASSERT_NE(g.strides(), a[i].strides());
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    fused.step();
    reference.step();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr().find("unavailable"), std::string::npos);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_LE(relativeError(a[i], b[i]), 1e-6) << "param " << i;
}

} // namespace
} // namespace fiver::runtime
