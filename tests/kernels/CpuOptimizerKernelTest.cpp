// The generated optimizer kernels, torch-free: every element of every tensor
// (empty and odd-sized ones included) gets exactly the scalar reference's
// value, whichever way [0, total) is cut into chunks, and nothing outside a
// chunk is touched.
#include "runtime/kernels/CpuOptimizerKernel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace fiver::kernels;

namespace {

const std::vector<int64_t> kSizes = {0, 3, 17, 1, 0, 100, 33};

struct Group {
  explicit Group(int slots) {
    std::mt19937 rng(11);
    std::normal_distribution<float> normal;
    for (int64_t n : kSizes) {
      starts.push_back(starts.back() + n);
      for (int s = 0; s < slots; ++s) {
        data.emplace_back(static_cast<size_t>(n));
        for (float& x : data.back())
          x = s == 3 ? std::fabs(normal(rng)) : normal(rng); // exp_avg_sq >= 0
      }
      perTensor.push_back(0.5f + 0.1f * static_cast<float>(perTensor.size()));
      perTensor.push_back(0.9f);
    }
    for (auto& d : data)
      pointers.push_back(d.data());
  }
  std::vector<std::vector<float>> data;
  std::vector<float*> pointers;
  std::vector<int64_t> starts{0};
  std::vector<float> perTensor;
};

// One element as torch::optim computes it (fma where LibTorch's kernels use one).
void referenceStep(const CpuOptimizerSpec& spec, std::vector<float*> x, float t0, float t1,
                   const float* sc) {
  float& p = *x[0];
  const float g = *x[1];
  if (spec.kind == FusedOptimizerKind::Sgd) {
    float d = spec.weightDecay ? std::fma(p, sc[0], g) : g;
    if (spec.momentum) {
      float& buf = *x[2];
      buf = std::fma(d, t1, buf * t0);
      d = spec.nesterov ? std::fma(buf, sc[1], d) : buf;
    }
    p = std::fma(d, sc[2], p);
    return;
  }
  float& m = *x[2];
  float& v = *x[3];
  if (spec.weightDecay) p = p * sc[0];
  m = std::fma(g, sc[2], m * sc[1]);
  v = v * sc[3] + sc[4] * g * g;
  p = p + t0 * m / (std::sqrt(v) / t1 + sc[5]);
}

void expectExact(const CpuOptimizerSpec& spec, const std::vector<float>& scalars) {
  LlvmJit jit;
  CpuOptimizerFn fn = compileCpuOptimizer(jit, spec);
  const int slots = spec.slots();
  const int64_t count = static_cast<int64_t>(kSizes.size());
  Group want(slots);
  for (int64_t k = 0; k < count; ++k)
    for (int64_t j = 0; j < kSizes[static_cast<size_t>(k)]; ++j) {
      std::vector<float*> x;
      for (int s = 0; s < slots; ++s)
        x.push_back(&want.data[static_cast<size_t>(k * slots + s)][static_cast<size_t>(j)]);
      referenceStep(spec, x, want.perTensor[static_cast<size_t>(2 * k)],
                    want.perTensor[static_cast<size_t>(2 * k + 1)], scalars.data());
    }
  const int64_t total = want.starts.back();
  for (std::vector<int64_t> cuts :
       {std::vector<int64_t>{0, total}, {0, 1, 2, 20, 21, 77, total}, {0, 3, 3, 120, total}}) {
    Group got(slots);
    for (size_t c = 0; c + 1 < cuts.size(); ++c)
      fn(got.pointers.data(), got.starts.data(), got.perTensor.data(), scalars.data(), count,
         cuts[c], cuts[c + 1]);
    for (size_t t = 0; t < got.data.size(); ++t)
      for (size_t j = 0; j < got.data[t].size(); ++j)
        ASSERT_EQ(got.data[t][j], want.data[t][j])
            << spec.key() << ": tensor " << t / slots << " slot " << t % slots << " element " << j;
  }
}

} // namespace

TEST(CpuOptimizerKernel, SgdVariantsMatchTheReferenceExactly) {
  for (bool momentum : {false, true})
    for (bool nesterov : {false, true})
      for (bool decay : {false, true}) {
        if (nesterov && !momentum) continue;
        expectExact({FusedOptimizerKind::Sgd, momentum, nesterov, decay}, {5e-4f, 0.9f, -0.1f});
      }
}

TEST(CpuOptimizerKernel, AdamWMatchesTheReferenceExactly) {
  for (bool decay : {false, true})
    expectExact({FusedOptimizerKind::AdamW, false, false, decay},
                {1 - 1e-3f * 0.05f, 0.9f, 0.1f, 0.999f, 1e-3f, 1e-8f});
}

TEST(CpuOptimizerKernel, KeysNameEveryOption) {
  EXPECT_EQ((CpuOptimizerSpec{FusedOptimizerKind::Sgd, true, true, true}.key()),
            "sgd momentum nesterov decay");
  EXPECT_EQ((CpuOptimizerSpec{FusedOptimizerKind::AdamW, false, false, false}.key()), "adamw");
  EXPECT_EQ((CpuOptimizerSpec{FusedOptimizerKind::AdamW}.slots()), 4);
  EXPECT_EQ((CpuOptimizerSpec{FusedOptimizerKind::Sgd, true}.slots()), 3);
}
