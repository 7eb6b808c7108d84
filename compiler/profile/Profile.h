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
  bool remeasureRoofline = false;
};

int profilePlan(const plan::Plan& plan, const ProfileOptions& options, std::ostream& out,
                std::ostream& err);

// `5rc profile --roofline`: this machine's peaks per dtype, the kernels that
// set them, bandwidth, and where they come from (when measured, at what
// load, on which CPU and libraries, cached or not). Needs no recipe.
int showRoofline(const ProfileOptions& options, std::ostream& out, std::ostream& err);

} // namespace fiver
