// The runtime hook of colout: a pure function (usable and testable alone)
// plus the Method that calls it on its events.
#pragma once

#include "runtime/data/Sampler.h"
#include "runtime/methods/DataSeams.h"
#include "runtime/train/Method.h"

#include <map>
#include <string>
#include <vector>

namespace fiver::runtime {

// --- colout: random rows and columns removed, the image really shrinks ---
// Keeps round((1 - pRow) H) rows and round((1 - pCol) W) columns (at least
// one), in their original order; the same ones for the whole batch when
// `sameForBatch`, otherwise drawn per image.
torch::Tensor coloutBatch(const torch::Tensor& images, double pRow, double pCol, bool sameForBatch);

class Colout : public Method {
public:
  Colout(double pRow, double pCol, bool sameForBatch)
      : pRow_(pRow), pCol_(pCol), sameForBatch_(sameForBatch) {}
  bool match(Event e, const TrainState&) const override { return e == Event::AfterData; }
  void apply(Event e, TrainState& s) override;

private:
  double pRow_, pCol_;
  bool sameForBatch_;
};

} // namespace fiver::runtime
