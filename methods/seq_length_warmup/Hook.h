// The runtime hook of seq_length_warmup: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- seq_length_warmup: short sequences first, full length by `until` ---
// The length at `step`: from x T growing linearly to T over `rampSteps`,
// rounded down to a multiple of `multiple` (at least one multiple, at most T).
int64_t warmupSequenceLength(int64_t fullLength, double from, int64_t rampSteps, int64_t multiple,
                             int64_t step);
// Token batches [B, T] and their next-token labels, cut to `length`: by
// truncation (the rest of each row is dropped), or, without `truncate`, by
// splitting each row into T / length rows of `length` tokens.
void shortenSequences(torch::Tensor& tokens, torch::Tensor& labels, int64_t length, bool truncate);

class SeqLengthWarmup : public Method {
public:
  SeqLengthWarmup(const plan::Plan& p, double from, double until, int64_t multiple, bool truncate);
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  int64_t fullLength_;
  double from_;
  int64_t rampSteps_;
  int64_t multiple_;
  bool truncate_;
};

} // namespace fiver::runtime
