#include "runtime/kernels/LlvmJit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace fiver::kernels;

namespace {

struct Case {
  const char* expr;
  std::function<float(float, float)> ref;
};

void expectMatches(CpuKernelFn fn, const Case& c, int64_t n) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(0.1f, 2.0f);
  std::vector<float> a(static_cast<size_t>(n)), b(a.size()), out(a.size(), -1.0f);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = dist(rng), b[i] = dist(rng) - 1.0f;
  const float* ins[] = {a.data(), b.data()};
  fn(out.data(), ins, nullptr, 0, n, 1, 1);
  for (size_t i = 0; i < a.size(); ++i) {
    float want = c.ref(a[i], b[i]);
    ASSERT_NEAR(out[i], want, 1e-5f * (1.0f + std::fabs(want))) << c.expr << " at " << i;
  }
}

} // namespace

TEST(LlvmJit, EveryOperationMatchesTheReference) {
  LlvmJit jit;
  auto sig = [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
  const Case cases[] = {
      {"add(%0,%1)", [](float a, float b) { return a + b; }},
      {"sub(%0,%1)", [](float a, float b) { return a - b; }},
      {"mul(%0,%1)", [](float a, float b) { return a * b; }},
      {"div(%0,%1)", [](float a, float b) { return a / b; }},
      {"max(%0,%1)", [](float a, float b) { return std::max(a, b); }},
      {"min(%0,%1)", [](float a, float b) { return std::min(a, b); }},
      {"neg(%1)", [](float, float b) { return -b; }},
      {"relu(%1)", [](float, float b) { return b > 0 ? b : 0.0f; }},
      {"gelu(%1)",
       [](float, float b) { return 0.5f * b * (1.0f + std::erf(b / std::sqrt(2.0f))); }},
      {"silu(%1)", [&](float, float b) { return b * sig(b); }},
      {"sigmoid(%1)", [&](float, float b) { return sig(b); }},
      {"tanh(%1)", [](float, float b) { return std::tanh(b); }},
      {"exp(%1)", [](float, float b) { return std::exp(b); }},
      {"log(%0)", [](float a, float) { return std::log(a); }},
      {"sqrt(%0)", [](float a, float) { return std::sqrt(a); }},
      {"rsqrt(%0)", [](float a, float) { return 1.0f / std::sqrt(a); }},
      {"where(%1,%0,2)", [](float a, float b) { return b > 0 ? a : 2.0f; }},
      {"cast_fp32(%0)", [](float a, float) { return a; }},
  };
  for (const Case& c : cases) {
    CpuKernelFn fn = jit.compile(*parseExpr(c.expr), 2, 0);
    for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1000003}})
      expectMatches(fn, c, n);
  }
}

TEST(LlvmJit, BroadcastsParametersAlongChannels) {
  LlvmJit jit;
  // N=2, C=3, H*W=4 (NCHW): parameter index (i / 4) % 3.
  std::vector<float> x(24), out(24), scale{1, 2, 3}, shift{-1, 0, 1};
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i);
  CpuKernelFn fn = jit.compile(*parseExpr("add(mul(%0,@0),@1)"), 1, 2);
  const float* ins[] = {x.data()};
  const float* ps[] = {scale.data(), shift.data()};
  fn(out.data(), ins, ps, 0, 24, 3, 4);
  for (size_t i = 0; i < x.size(); ++i) {
    size_t c = (i / 4) % 3;
    EXPECT_EQ(out[i], x[i] * scale[c] + shift[c]);
  }
  // A sub-range leaves the rest untouched (the thread pool splits ranges).
  std::vector<float> part(24, -7.0f);
  fn(part.data(), ins, ps, 5, 9, 3, 4);
  EXPECT_EQ(part[4], -7.0f);
  EXPECT_EQ(part[5], out[5]);
  EXPECT_EQ(part[9], -7.0f);
}

TEST(LlvmJit, RoundsToBf16) {
  LlvmJit jit;
  std::vector<float> x{1.0f + 1.0f / 256.0f + 1.0f / 1024.0f, 3.14159f}, out(2);
  const float* ins[] = {x.data()};
  jit.compile(*parseExpr("cast_bf16(%0)"), 1, 0)(out.data(), ins, nullptr, 0, 2, 1, 1);
  EXPECT_EQ(out[0], 1.0f + 1.0f / 128.0f);
  EXPECT_EQ(out[1], 3.140625f);
  EXPECT_NE(jit.targetDescription().find("llvm-14"), std::string::npos);
}

TEST(LlvmJit, ExpIsAccurateOverTheWholeRange) {
  LlvmJit jit;
  std::vector<float> x;
  for (float v = -110.0f; v <= 90.0f; v += 0.173f)
    x.push_back(v);
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f, -0.0f, 1e-8f, -1e-8f, 88.72f, 88.73f, -87.3f, -103.9f, inf, -inf})
    x.push_back(v);
  std::vector<float> out(x.size()), sig(x.size());
  const float* ins[] = {x.data()};
  const int64_t n = static_cast<int64_t>(x.size());
  jit.compile(*parseExpr("exp(%0)"), 1, 0)(out.data(), ins, nullptr, 0, n, 1, 1);
  jit.compile(*parseExpr("sigmoid(%0)"), 1, 0)(sig.data(), ins, nullptr, 0, n, 1, 1);
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = std::exp(x[i]);
    if (want < 1e-37f) // denormal results: absolute error only
      EXPECT_NEAR(out[i], want, 1e-40f) << x[i];
    else if (std::isinf(want))
      EXPECT_EQ(out[i], want) << x[i];
    else
      EXPECT_NEAR(out[i], want, 3e-7f * want) << x[i];
    EXPECT_NEAR(sig[i], 1.0f / (1.0f + std::exp(-x[i])), 1e-6f) << x[i];
  }
  const float nan[] = {std::nanf("")};
  const float* nanIns[] = {nan};
  float o = 0;
  jit.compile(*parseExpr("exp(%0)"), 1, 0)(&o, nanIns, nullptr, 0, 1, 1, 1);
  EXPECT_TRUE(std::isnan(o));
}
