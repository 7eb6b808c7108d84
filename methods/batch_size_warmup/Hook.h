// The runtime hook of batch_size_warmup: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- batch_size_warmup: the batch grows to the plan's size over `until` ---
// from x batch rising linearly to batch at untilStep, rounded to `multiple`.
int64_t warmupBatchSize(int64_t batch, double from, int64_t untilStep, int64_t multiple,
                        int64_t step);

class BatchSizeWarmup : public Method {
public:
  BatchSizeWarmup(double from, int64_t untilStep, int64_t multiple, bool scaleLr)
      : from_(from), untilStep_(untilStep), multiple_(multiple), scaleLr_(scaleLr) {}
  bool match(Event e, const TrainState&) const override {
    return e == Event::FitStart || e == Event::BatchEnd || (scaleLr_ && e == Event::BeforeForward);
  }
  void apply(Event e, TrainState& s) override;

private:
  double from_;
  int64_t untilStep_, multiple_;
  bool scaleLr_;
};

} // namespace fiver::runtime
