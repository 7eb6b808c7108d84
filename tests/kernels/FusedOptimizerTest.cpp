// Fused optimizer steps against torch::optim: after 20 steps on random
// gradients, parameters and state match within 1e-6 of each tensor's scale,
// for SGD (plain, momentum, nesterov, weight decay, dampening) and AdamW,
// over empty, single-element, odd-sized, channels-last and multi-chunk
// tensors, with a parameter that misses gradients on some steps. A saved
// fused optimizer resumes in a new one as if never interrupted.
#include "runtime/TorchCompat.h"
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"

#include <gtest/gtest.h>

#include <sstream>

namespace fiver::runtime {
namespace {

std::vector<torch::Tensor> makeParams(torch::ScalarType dtype = torch::kFloat) {
  torch::manual_seed(7);
  std::vector<torch::Tensor> ps = {
      torch::randn({0}),
      torch::randn({1}),
      torch::randn({7}),
      torch::randn({3, 5, 7}),
      torch::randn({33, 17}),
      torch::randn({70001}), // several chunks on 2 threads
      torch::randn({16, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast),
      torch::randn({5}), // gets no gradient on odd steps
  };
  for (torch::Tensor& p : ps)
    p = p.to(dtype).set_requires_grad(true);
  return ps;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& p : ps)
    out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Two groups, as makeOptimizer builds them: the first decays, the second not.
std::vector<torch::optim::OptimizerParamGroup> groupsOf(const std::vector<torch::Tensor>& ps,
                                                        const torch::optim::OptimizerOptions& a,
                                                        const torch::optim::OptimizerOptions& b) {
  std::vector<torch::Tensor> first(ps.begin(), ps.begin() + 5), second(ps.begin() + 5, ps.end());
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(first, a.clone());
  groups.emplace_back(second, b.clone());
  return groups;
}

// The same random gradient (same layout) for each parameter of both sets.
void setGradients(int step, const std::vector<torch::Tensor>& a,
                  const std::vector<torch::Tensor>& b) {
  torch::manual_seed(100 + step);
  for (size_t i = 0; i < a.size(); ++i) {
    if (i + 1 == a.size() && step % 2 == 1) {
      a[i].mutable_grad() = torch::Tensor();
      b[i].mutable_grad() = torch::Tensor();
      continue;
    }
    torch::Tensor g = torch::empty_like(a[i]).normal_();
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
}

// max |a - b| over max |b|: relative to the tensor's scale, so elements
// that pass through zero do not dominate.
double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  if (b.numel() == 0) return 0;
  double scale = std::max(b.abs().max().item<double>(), 1e-30);
  return (a - b).abs().max().item<double>() / scale;
}

void expectClose(const std::vector<torch::Tensor>& fused, const std::vector<torch::Tensor>& ref,
                 const torch::optim::Optimizer& fusedOpt, const torch::optim::Optimizer& refOpt) {
  for (size_t i = 0; i < fused.size(); ++i) {
    ASSERT_EQ(fused[i].strides(), ref[i].strides()) << "param " << i;
    EXPECT_LE(relativeError(fused[i], ref[i]), 1e-6) << "param " << i;
    const auto fk = fiver::torchcompat::optimizerStateKey(fused[i]);
    const auto rk = fiver::torchcompat::optimizerStateKey(ref[i]);
    ASSERT_EQ(fusedOpt.state().count(fk), refOpt.state().count(rk)) << "state of param " << i;
    if (!refOpt.state().count(rk)) continue;
    const auto& fs = *fusedOpt.state().at(fk);
    const auto& rs = *refOpt.state().at(rk);
    if (auto* r = dynamic_cast<const torch::optim::SGDParamState*>(&rs)) {
      auto& f = dynamic_cast<const torch::optim::SGDParamState&>(fs);
      EXPECT_LE(relativeError(f.momentum_buffer(), r->momentum_buffer()), 1e-6) << "buffer " << i;
    } else {
      auto& r2 = dynamic_cast<const torch::optim::AdamWParamState&>(rs);
      auto& f = dynamic_cast<const torch::optim::AdamWParamState&>(fs);
      EXPECT_EQ(f.step(), r2.step()) << "step " << i;
      EXPECT_LE(relativeError(f.exp_avg(), r2.exp_avg()), 1e-6) << "exp_avg " << i;
      EXPECT_LE(relativeError(f.exp_avg_sq(), r2.exp_avg_sq()), 1e-6) << "exp_avg_sq " << i;
    }
  }
}

template <typename Fused, typename Reference, typename Options>
void compareSteps(const Options& decay, const Options& noDecay, int threads,
                  torch::ScalarType dtype = torch::kFloat) {
  const int savedThreads = torch::get_num_threads();
  torch::set_num_threads(threads);
  std::vector<torch::Tensor> a = makeParams(dtype), b = copies(a);
  Fused fused(groupsOf(a, decay, noDecay), decay);
  Reference reference(groupsOf(b, decay, noDecay), decay);
  for (int step = 0; step < 20; ++step) {
    setGradients(step, a, b);
    fused.step();
    reference.step();
  }
  expectClose(a, b, fused, reference);
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
  std::vector<torch::Tensor> a = makeParams(), b = copies(a);
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
