#include "runtime/kernels/CudaSource.h"
#include "runtime/kernels/Differentiate.h"
#include "runtime/kernels/FusedOptimizerSource.h"
#include "runtime/kernels/NvrtcCompiler.h"

#include <gtest/gtest.h>

using namespace fiver::kernels;

TEST(CudaSource, UsesOnlyGeneratedIdentifiers) {
  CudaKernelSource k =
      generateCudaKernel(*parseExpr("relu(add(mul(%0,@0),%1))"), 2, 1, ElementType::Fp32);
  EXPECT_NE(k.source.find("const float* __restrict__ in1"), std::string::npos);
  EXPECT_NE(k.source.find("p0[((i + 3) / inner) % channels]"), std::string::npos);
  EXPECT_NE(k.source.find("float4"), std::string::npos);
  EXPECT_NE(k.source.find("i += stride"), std::string::npos);
}

// Backward passes null pointers for the inputs it did not keep, and more
// inputs and parameters than an expression names: the signature has those
// the expression names, the vector path loads those it reads.
TEST(CudaSource, SignatureAndLoadsFollowTheExpression) {
  CudaKernelSource k = generateCudaKernel(*parseExpr("neg(%1)"), 3, 2, ElementType::Fp32);
  EXPECT_NE(k.source.find("(in1 + i)"), std::string::npos);
  EXPECT_NE(k.source.find("in0,"), std::string::npos);
  EXPECT_EQ(k.source.find("(in0 + i)"), std::string::npos);
  EXPECT_EQ(k.source.find("in2"), std::string::npos);
  EXPECT_EQ(k.source.find("p0"), std::string::npos);
  EXPECT_THROW(generateCudaKernel(*parseExpr("add(%0,@1)"), 1, 1, ElementType::Fp32),
               std::invalid_argument);
}

TEST(CudaSource, NvrtcCompilesEveryOperationForSm90) {
  std::string why;
  std::optional<NvrtcCompiler> nvrtc = NvrtcCompiler::load(why);
  if (!nvrtc) GTEST_SKIP() << why;
  const char* exprs[] = {
      "relu(add(mul(%0,@0),@1))",
      "where(sub(max(%0,%1),min(%0,%1)),gelu(%0),silu(%1))",
      "div(add(sigmoid(%0),tanh(%1)),sqrt(add(exp(neg(%0)),rsqrt(add(log(add(%1,2)),3)))))",
      "cast_fp32(cast_bf16(cast_fp16(%0)))",
  };
  for (const char* e : exprs)
    for (ElementType t : {ElementType::Fp32, ElementType::Bf16, ElementType::Fp16}) {
      NodePtr f = parseExpr(e);
      CudaKernelSource k = generateCudaKernel(*f, inputCount(*f), paramCount(*f), t);
      std::string ptx = nvrtc->compileToPtx(k.source, k.name, "compute_90");
      EXPECT_NE(ptx.find(".target sm_90"), std::string::npos) << e;
      EXPECT_NE(ptx.find(k.name), std::string::npos) << e;
    }
  // The backward of a block's tail compiles too (it reads the extra %n input).
  NodePtr f = parseExpr("gelu(add(mul(%0,@0),@1))");
  BackwardExprs b = differentiate(*f, 1, 2);
  CudaKernelSource k = generateCudaKernel(*b.inputGrads[0], 2, 2, ElementType::Fp32);
  EXPECT_FALSE(nvrtc->compileToPtx(k.source, k.name, "compute_90").empty());
  EXPECT_EQ(nvrtc->version().rfind("nvrtc-", 0), 0u);
}

TEST(FusedOptimizerSource, NvrtcCompilesSgdAndAdamWForSm90) {
  std::string why;
  std::optional<NvrtcCompiler> nvrtc = NvrtcCompiler::load(why);
  if (!nvrtc) GTEST_SKIP() << why;
  for (FusedOptimizerKind kind : {FusedOptimizerKind::Sgd, FusedOptimizerKind::AdamW}) {
    CudaKernelSource k = generateFusedOptimizer(kind);
    std::string ptx = nvrtc->compileToPtx(k.source, k.name, "compute_90");
    EXPECT_NE(ptx.find(".entry " + k.name), std::string::npos) << k.name;
  }
}
