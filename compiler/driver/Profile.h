// `5rc profile RECIPE`: runs a few steps of the compiled plan in 5rc-exec's
// profiling mode, then reports where the step's time goes, the top ops
// against this machine's roofline, and the bottleneck with the methods that
// address it.
#pragma once

#include "compiler/plan/Plan.h"

#include <ostream>
#include <string>

namespace fiver {

struct ProfileOptions {
  int64_t steps = 30;
  int threads = 0;
  std::string device;
  bool noPrefetch = false;
  std::string stdlib;
  bool json = false;
  std::string executor; // 5rc-exec
};

int profilePlan(const plan::Plan& plan, const ProfileOptions& options, std::ostream& out,
                std::ostream& err);

} // namespace fiver
