#include "runtime/profile/ProfileRun.h"

#include "compiler/plan/OpCost.h"
#include "compiler/support/AtomicFile.h"
#include "runtime/profile/Roofline.h"
#include "runtime/train/Device.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <thread>

namespace fiver::runtime {

void runProfile(const plan::Plan& plan, TrainOptions options, int64_t steps,
                const std::string& jsonPath) {
  const torch::Device device = resolveDevice(options.device);
  PhaseTimer timer(kProfileWarmupSteps, steps, [device] { synchronize(device); });
  std::vector<double> opSeconds(plan.ops.size(), 0.0);
  options.phases = &timer;
  options.opSeconds = &opSeconds;
  options.maxSteps = kProfileWarmupSteps + steps;
  options.evalEachEpoch = false;
  options.checkpointEvery = 0;
  options.outDir.clear(); // a profile writes no run folder
  options.quiet = true;
  train(plan, options);
  if (timer.steps() == 0)
    throw std::runtime_error("the plan's budget ends before any profiled step (it has " +
                             std::to_string(plan.training.totalSteps) + " steps)");

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const Roofline roof = cachedRoofline(threads);
  const double n = static_cast<double>(timer.steps());
  nlohmann::json phases = nlohmann::json::object();
  for (int p = 0; p < static_cast<int>(Phase::Count); ++p)
    phases[phaseName(static_cast<Phase>(p))] = timer.seconds(static_cast<Phase>(p)) / n;

  // Costs at the batch size and the last resolution stage, as profiled.
  const std::vector<plan::OpCost> costs = plan::planOpCosts(plan, plan.training.batchSize);
  nlohmann::json ops = nlohmann::json::array();
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const plan::Op& op = plan.ops[i];
    if (op.kind == "input") continue;
    ops.push_back({{"name", op.name},
                   {"kind", op.kind},
                   {"forward_seconds", opSeconds[i] / n},
                   {"forward_flops", costs[i].forwardFlops},
                   {"backward_flops", costs[i].backwardFlops},
                   {"bytes_moved", costs[i].bytesMoved},
                   {"intensity", costs[i].intensity()}});
  }
  nlohmann::json out = {{"recipe", plan.recipe},
                        {"device", options.device},
                        {"threads", threads},
                        {"batch_size", plan.training.batchSize},
                        {"steps", timer.steps()},
                        {"step_seconds", timer.totalSeconds() / n},
                        {"phases", phases},
                        {"ops", ops},
                        {"roofline",
                         {{"peak_flops", roof.peakFlops},
                          {"bandwidth", roof.bandwidth},
                          {"balance", roof.balance()}}}};
  if (!writeFileAtomically(jsonPath, out.dump(2) + "\n"))
    throw std::runtime_error(jsonPath + ": cannot write");
}

} // namespace fiver::runtime
