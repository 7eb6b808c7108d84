// Reads a profile written by `5rc-exec --profile` and names the step's
// bottleneck in the survey's terms, with the standard-library methods that
// address it. Torch-free, so it is tested on synthetic profiles.
#pragma once

#include "compiler/sema/MethodSignature.h"

#include <nlohmann/json.hpp>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace fiver {

struct BottleneckReport {
  std::string bottleneck; // "data loading", "CPU compute", "GPU compute", "memory bandwidth", ...
  std::string reason;
  double phaseSum = 0;                                    // seconds per step, all phases
  double stepSeconds = 0;                                 // measured wall time per step
  double computeBoundSeconds = 0, memoryBoundSeconds = 0; // forward ops, by the roofline
  std::vector<std::string> methods;                       // stdlib methods that address it
};

BottleneckReport analyzeProfile(const nlohmann::json& profile,
                                const std::map<std::string, MethodSignature>& stdlib);

// The methods whose declaration says they address `bottleneck`: they reduce
// the time per iteration (effect T_i) of the component it lives in.
std::vector<std::string> methodsFor(const std::string& bottleneck,
                                    const std::map<std::string, MethodSignature>& stdlib);

void printProfileReport(std::ostream& out, const nlohmann::json& profile,
                        const BottleneckReport& report);

} // namespace fiver
