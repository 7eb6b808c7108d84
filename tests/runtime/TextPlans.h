// A tiny decoder-only transformer plan for the runtime tests of text tasks:
// input -> embedding1 -> add1(causal_attention1(layernorm1), embedding1)
//       -> layernorm2 -> linear1 (tied to embedding1 unless `tied` is off).
#pragma once

#include "compiler/plan/Plan.h"

namespace fiver::runtime::testing {

struct TinyGptOptions {
  int64_t length = 16; // T
  int64_t vocab = 16;
  int64_t dim = 32;
  int64_t heads = 2;
  bool tied = true;
  int64_t trainSize = 1024;
  int64_t testSize = 256;
  int64_t batchSize = 32;
  int64_t totalSteps = 128;
};

plan::Plan tinyGptPlan(const TinyGptOptions& o = {});

} // namespace fiver::runtime::testing
