// Reads a profile written by `5rc-exec --profile` and names the step's
// bottleneck in the survey's terms, with the standard-library methods that
// address it. Torch-free, so it is tested on synthetic profiles.
#pragma once

#include "compiler/sema/InputKinds.h"
#include "compiler/sema/MethodSignature.h"

#include <nlohmann/json.hpp>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace fiver {

// How much of a phase the per-op timings account for; the rest (loop and
// hook overhead, the loss's gradient before the first op's) is unattributed.
struct OpAttribution {
  double phaseSeconds = 0, opsSeconds = 0;
  double unattributed() const { return phaseSeconds - opsSeconds; }
};

struct BottleneckReport {
  std::string
      bottleneck; // "data loading", "memory capacity", "CPU compute", "memory bandwidth", ...
  std::string reason;
  double phaseSum = 0;    // seconds per step, all phases of the instrumented run
  double stepSeconds = 0; // the instrumented run's wall time per step
  // The independent check: the same steps run without per-op or per-phase
  // instrumentation (0 when the profile has none), and phaseSum over it.
  double uninstrumentedStepSeconds = 0;
  double phaseSumRatio = 0;
  // The same with each run's median step, which stray pauses of a shared
  // machine move less than the means (0 when the profile has none).
  double medianStepSeconds = 0, uninstrumentedMedianStepSeconds = 0, medianRatio = 0;
  OpAttribution forward, backward;
  // Forward and backward op time, each op by its step intensity on the roofline.
  double computeBoundSeconds = 0, memoryBoundSeconds = 0;
  // A step's peak CPU tensor memory, the part of it above what is held
  // between steps, and the machine's memory (0 when the profile has none).
  double stepPeakBytes = 0, activationBytes = 0, machineBytes = 0;
  std::vector<std::string> methods; // stdlib methods that address it
};

// `inputs` is the profiled task's kind: only methods that fit it are offered.
BottleneckReport analyzeProfile(const nlohmann::json& profile,
                                const std::map<std::string, MethodSignature>& stdlib,
                                InputKind inputs = InputKind::Images);

// The methods whose declaration says they address `bottleneck`: they reduce
// the time per iteration (effect T_i) of the component it lives in, and act
// on the task's kind of input (compiler/sema/InputKinds.h).
std::vector<std::string> methodsFor(const std::string& bottleneck,
                                    const std::map<std::string, MethodSignature>& stdlib,
                                    InputKind inputs = InputKind::Images);

void printProfileReport(std::ostream& out, const nlohmann::json& profile,
                        const BottleneckReport& report);

// The report's findings as JSON, added to the profile by `--format json`.
nlohmann::json reportJson(const BottleneckReport& report);

} // namespace fiver
