#include "runtime/kernels/Expr.h"
#include "runtime/kernels/Differentiate.h"
#include "runtime/kernels/FusedProgram.h"

#include <gtest/gtest.h>

using namespace fiver::kernels;

TEST(Expr, PrintsCanonicalText) {
  EXPECT_EQ(printExpr(*parseExpr(" relu( add ( mul(%0, @0) ,@1 ) ) ")), "relu(add(mul(%0,@0),@1))");
  EXPECT_EQ(printExpr(*parseExpr("add(%0,-1e-05)")), "add(%0,-1e-05)");
  EXPECT_EQ(printExpr(*parseExpr("mul(%0,2)")), "mul(%0,2)");
  EXPECT_EQ(printExpr(*parseExpr("where(%0,%1,0.5)")), "where(%0,%1,0.5)");
}

TEST(Expr, RoundTripsEveryOperation) {
  for (const char* text :
       {"add(%0,%1)",  "sub(%0,%1)",      "mul(%0,%1)",    "div(%0,%1)",    "max(%0,%1)",
        "min(%0,%1)",  "neg(%0)",         "relu(%0)",      "gelu(%0)",      "silu(%0)",
        "sigmoid(%0)", "tanh(%0)",        "exp(%0)",       "log(%0)",       "sqrt(%0)",
        "rsqrt(%0)",   "where(%0,%1,%2)", "cast_fp32(%0)", "cast_bf16(%0)", "cast_fp16(%0)"})
    EXPECT_EQ(printExpr(*parseExpr(text)), text);
}

TEST(Expr, CountsInputsAndParams) {
  NodePtr e = parseExpr("add(mul(%2,@1),%0)");
  EXPECT_EQ(inputCount(*e), 3);
  EXPECT_EQ(paramCount(*e), 2);
}

size_t errorOffset(const char* text) {
  try {
    parseExpr(text);
  } catch (const ExprError& e) {
    return e.offset;
  }
  return std::string::npos;
}

TEST(Expr, ReportsByteOffsetOfErrors) {
  EXPECT_EQ(errorOffset("relu(%0"), 7u);
  EXPECT_EQ(errorOffset("add(%0,foo(%1))"), 7u);
  EXPECT_EQ(errorOffset("relu(%0,%1)"), 0u);
  EXPECT_EQ(errorOffset("relu(%x)"), 6u);
  EXPECT_EQ(errorOffset("relu(%0))"), 8u);
  EXPECT_EQ(errorOffset(""), 0u);
  EXPECT_EQ(errorOffset("add(%0,nan)"), 7u);
  EXPECT_EQ(errorOffset("add(%0,#)"), 7u);
}

TEST(Differentiate, ProducesGradientsForInputsAndParams) {
  NodePtr f = parseExpr("relu(add(mul(%0,@0),@1))");
  BackwardExprs b = differentiate(*f, 1, 2);
  EXPECT_EQ(b.gradInput, 1);
  ASSERT_TRUE(b.inputGrads[0]);
  EXPECT_EQ(printExpr(*b.inputGrads[0]), "mul(where(add(mul(%0,@0),@1),%1,0),@0)");
  EXPECT_EQ(printExpr(*b.paramGrads[0]), "mul(where(add(mul(%0,@0),@1),%1,0),%0)");
  EXPECT_EQ(printExpr(*b.paramGrads[1]), "where(add(mul(%0,@0),@1),%1,0)");
}

TEST(Differentiate, SumsContributionsOfRepeatedLeaves) {
  BackwardExprs b = differentiate(*parseExpr("mul(%0,%0)"), 1, 0);
  EXPECT_EQ(printExpr(*b.inputGrads[0]), "add(mul(%1,%0),mul(%1,%0))");
}

TEST(Differentiate, LeavesUnusedInputsWithoutGradient) {
  BackwardExprs b = differentiate(*parseExpr("relu(%1)"), 2, 0);
  EXPECT_FALSE(b.inputGrads[0]);
  EXPECT_TRUE(b.inputGrads[1]);
}

TEST(FusedProgram, KeepsOnlyInputsBackwardReads) {
  FusedProgram p = FusedProgram::build("add(%0,%1)", 2, 0, std::nullopt);
  EXPECT_FALSE(p.savedInputs[0]);
  EXPECT_FALSE(p.savedInputs[1]);
  FusedProgram q = FusedProgram::build("mul(%0,%1)", 2, 0, std::nullopt);
  EXPECT_TRUE(q.savedInputs[0]);
  EXPECT_TRUE(q.savedInputs[1]);
}

TEST(FusedProgram, RejectsSavedThatMissesAnInputBackwardReads) {
  EXPECT_THROW(FusedProgram::build("mul(%0,%1)", 2, 0, std::string("%0")), std::runtime_error);
  EXPECT_THROW(FusedProgram::build("relu(%0)", 1, 0, std::string("x")), std::runtime_error);
  EXPECT_THROW(FusedProgram::build("relu(%1)", 1, 0, std::nullopt), std::runtime_error);
  EXPECT_THROW(FusedProgram::build("add(%0,@0)", 1, 0, std::nullopt), std::runtime_error);
  EXPECT_NO_THROW(FusedProgram::build("relu(add(%0,%1))", 2, 0, std::string("%0,%1")));
}
