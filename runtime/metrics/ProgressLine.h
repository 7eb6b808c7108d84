// The progress line a terminal shows during training, rewritten in place:
// step, loss, the last evaluation's accuracy, images/s and the time left,
// estimated from the rate so far. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fiver::runtime {

struct Progress {
  int64_t epoch = 0; // 1-based
  int64_t epochs = 0;
  int64_t step = 0; // steps done
  int64_t totalSteps = 0;
  double loss = 0;
  std::optional<double> lastAccuracy; // none before the first evaluation
  std::string evalSplit = "test";
  double imagesPerSecond = 0;
  double trainSeconds = 0; // spent on the steps done
};

// Seconds left at the rate so far; none before the first step.
std::optional<double> etaSeconds(int64_t step, int64_t totalSteps, double trainSeconds);

// "1:05:09", "4:07", "0:09".
std::string clockText(double seconds);

std::string progressLine(const Progress& p);

} // namespace fiver::runtime
