// Reference outputs to check an exported model against: the first N examples
// of the run's test split as its evaluation reads them (normalized images, or
// token ids), their labels, and FiveR's evaluation logits for them, as raw
// little-endian files with a JSON index (docs/export.md describes them).
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/data/Dataset.h"
#include "runtime/model/PlanModel.h"

#include <cstdint>
#include <string>

namespace fiver::runtime {

struct ReferenceSummary {
  int64_t examples = 0;
  // The share of predictions (examples; tokens for text) that FiveR gets
  // right: as the run evaluates (its dtypes and layouts), and with every op
  // in fp32, which is what the exported model computes (the same number when
  // the run computes in fp32).
  double runAccuracy = 0;
  double accuracy = 0;
  // The largest difference between the two sets of logits.
  double maxAbsDiffFp32 = 0;
};

// `model` is in eval mode with the weights it was evaluated with; `examples`
// is clamped to the test split's size. Throws std::runtime_error when the
// folder cannot be written.
ReferenceSummary writeReferenceOutputs(const plan::Plan& plan, PlanModel& model, const Split& test,
                                       int64_t examples, const std::string& folder);

} // namespace fiver::runtime
