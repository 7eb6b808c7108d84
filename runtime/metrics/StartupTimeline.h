// Where a run's first seconds go: when the plan was read, the data loaded,
// the model built (and moved to its device), training started, and how long
// the first steps took, the first step at every new input shape included
// (the steps where cuDNN times its algorithms, kernels compile and the
// allocator grows). Written to metrics.jsonl and summary.json as `startup`
// and printed after the run, so that a first epoch slower than the rest can
// be taken apart. Process-wide, like TensorMemory: one run a process.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::runtime {

// A moment of the run, in seconds since the process clock started.
struct StartupMark {
  std::string name;
  double seconds = 0;
};

// A step timed on its own (the device waited for before and after it).
struct WatchedStep {
  int64_t step = 0;
  std::string shape; // the batch's sizes, e.g. "512x1x28x28"
  bool newShape = false;
  double seconds = 0;
};

struct StartupReport {
  std::vector<StartupMark> marks;
  std::vector<WatchedStep> steps;
};

// Starts the process clock (main's first line); later calls do nothing.
// Without it, the first mark starts the clock.
void startProcessClock();

// Records a moment once: a second mark of the same name is ignored (a run
// that evaluates again does not move "first_epoch_done").
void markStartup(const std::string& name);

// Whether the next step, on a batch of `shape`, is timed on its own: the
// first few steps of the process and the first step at each new shape.
bool watchesStep(const std::string& shape);
void recordWatchedStep(int64_t step, const std::string& shape, double seconds);

StartupReport startupReport();
void resetStartupTimeline(); // tests

// {"marks": {name: seconds}, "watched_steps": [{step, shape, new_shape,
// seconds}]}: metrics.jsonl's `startup` record and summary.json's.
nlohmann::json startupJson(const StartupReport& report);

// One line for the console: the marks, the watched steps, and how the first
// epoch compares with the later steps' rate (`laterStepSeconds`, 0 when the
// run had one epoch).
std::string startupText(const StartupReport& report, double laterStepSeconds,
                        double firstEpochSeconds, int64_t firstEpochSteps);

} // namespace fiver::runtime
