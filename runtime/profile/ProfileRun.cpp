#include "runtime/profile/ProfileRun.h"

#include "compiler/plan/OpCost.h"
#include "compiler/plan/OpKinds.h"
#include "compiler/support/AtomicFile.h"
#include "runtime/metrics/TensorMemory.h"
#include "runtime/profile/OpTimes.h"
#include "runtime/profile/Roofline.h"
#include "runtime/profile/RooflineCache.h"
#include "runtime/train/Device.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace fiver::runtime {

namespace {

TrainOptions profiledSteps(TrainOptions options, int64_t steps) {
  options.maxSteps = kProfileWarmupSteps + steps;
  options.evalEachEpoch = false;
  options.checkpointEvery = 0;
  options.outDir.clear(); // a profile writes no run folder
  options.quiet = true;
  return options;
}

// The one host-to-device transfer of a run: the trainer copies the whole data
// set to the training device before the first step (batches are gathered on
// the device). Timed here the same way; zero bytes when training on the CPU.
nlohmann::json datasetTransfer(const Dataset& data, const torch::Device& device) {
  double bytes = 0;
  for (const Split* s : {&data.train, &data.test})
    bytes += static_cast<double>(s->images.nbytes() + s->labels.nbytes());
  if (device.is_cpu()) return {{"bytes", 0}, {"seconds", 0.0}, {"dataset_bytes", bytes}};
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  Dataset copy = toDevice(data, device);
  synchronize(device);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {{"bytes", bytes}, {"seconds", seconds}, {"dataset_bytes", bytes}};
}

// Each op's cost averaged over the profiled steps: layer freezing may stop
// weight gradients, and whole backward passes of a prefix, part way through.
struct ProfiledCost {
  std::vector<plan::OpCost> costs;
  std::vector<int64_t> frozenSteps;
};

ProfiledCost profiledCost(const plan::Plan& plan, int64_t firstStep, int64_t steps) {
  ProfiledCost out{std::vector<plan::OpCost>(plan.ops.size()),
                   std::vector<int64_t>(plan.ops.size(), 0)};
  // Costs at the batch size and each step's input size.
  for (int64_t step = firstStep; step < firstStep + steps; ++step) {
    const std::vector<plan::OpCost> at =
        plan::planOpCostsAtStep(plan, plan.training.batchSize, step);
    for (size_t i = 0; i < at.size(); ++i) {
      out.costs[i] += at[i];
      const int64_t freeze = plan.ops[i].freezeStep;
      if (freeze >= 0 && step >= freeze && at[i].parameters > 0) ++out.frozenSteps[i];
    }
  }
  const double n = static_cast<double>(std::max<int64_t>(1, steps));
  for (plan::OpCost& c : out.costs) {
    c.forwardFlops /= n;
    c.backwardFlops /= n;
    c.parameters = static_cast<int64_t>(static_cast<double>(c.parameters) / n);
    c.activationBytes /= n;
    c.bytesMoved /= n;
    c.backwardBytesMoved /= n;
  }
  return out;
}

// The input sizes the profiled steps train at (progressive resizing), in order.
nlohmann::json inputSizes(const plan::Plan& plan, int64_t firstStep, int64_t steps) {
  nlohmann::json sizes = nlohmann::json::array();
  for (int64_t step = firstStep; step < firstStep + steps; ++step) {
    const std::vector<int64_t>& task = plan.task.inputShape; // C, H, W
    std::vector<int64_t> size;
    if (task.size() == 3) size = {task[1], task[2]};
    for (const plan::ResolutionStage& s : plan.resolution)
      if (s.startStep <= step) size = {s.height, s.width};
    if (size.empty()) continue;
    if (sizes.empty() || sizes.back() != nlohmann::json(size)) sizes.push_back(size);
  }
  return sizes;
}

} // namespace

void runProfile(const plan::Plan& plan, TrainOptions options, int64_t steps,
                const std::string& jsonPath) {
  const torch::Device device = resolveDevice(options.device);
  const Dataset data = loadDataset(plan.task, plan.training.seed);

  // The instrumented run: every phase change and every op waits for the device.
  PhaseTimer timer(kProfileWarmupSteps, steps, [device] { synchronize(device); });
  OpTimes opTimes(plan.ops.size(), [device] { synchronize(device); });
  timer.setOnChange([&opTimes](Phase left, Phase entered, PhaseTimer::Clock::time_point now) {
    opTimes.phaseChanged(left, entered, now);
  });
  TrainOptions instrumented = profiledSteps(options, steps);
  instrumented.phases = &timer;
  instrumented.opTimes = &opTimes;
  train(plan, instrumented, &data);
  if (timer.steps() == 0)
    throw std::runtime_error("the plan's budget (" + std::to_string(plan.training.totalSteps) +
                             " steps) ends before any profiled step; " +
                             std::to_string(kProfileWarmupSteps) + " warm-up steps come first");

  // The same steps again with no instrumentation: only the step boundaries,
  // where the training loop waits for the device anyway, are read.
  PhaseTimer plainTimer = PhaseTimer::stepsOnly(kProfileWarmupSteps, steps);
  TrainOptions plain = profiledSteps(options, steps);
  plain.phases = &plainTimer;
  resetLargestStepMemory();
  train(plan, plain, &data);
  const StepMemory memory = largestStepMemory();

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const Roofline roof = cachedRoofline(threads);
  const double n = static_cast<double>(timer.steps());
  nlohmann::json phases = nlohmann::json::object();
  for (int p = 0; p < static_cast<int>(Phase::Count); ++p)
    phases[phaseName(static_cast<Phase>(p))] = timer.seconds(static_cast<Phase>(p)) / n;

  const ProfiledCost cost = profiledCost(plan, kProfileWarmupSteps, timer.steps());
  nlohmann::json ops = nlohmann::json::array();
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const plan::Op& op = plan.ops[i];
    if (plan::isKind(op.kind, plan::OpKind::Input)) continue;
    const plan::OpCost& c = cost.costs[i];
    ops.push_back({{"name", op.name},
                   {"kind", op.kind},
                   {"forward_seconds", opTimes.forward[i] / n},
                   {"backward_seconds", opTimes.backward[i] / n},
                   {"forward_flops", c.forwardFlops},
                   {"backward_flops", c.backwardFlops},
                   {"parameters", c.parameters},
                   {"bytes_moved", c.bytesMoved},
                   {"backward_bytes_moved", c.backwardBytesMoved},
                   {"intensity", c.intensity()},
                   {"backward_intensity", c.backwardIntensity()},
                   {"step_intensity", c.stepIntensity()},
                   {"frozen_steps", cost.frozenSteps[i]}});
  }
  const int64_t plainSteps = plainTimer.steps();
  nlohmann::json out = {
      {"recipe", plan.recipe},
      {"device", device.str()},
      {"threads", threads},
      {"batch_size", plan.training.batchSize},
      {"warmup_steps", kProfileWarmupSteps},
      {"steps", timer.steps()},
      {"input_sizes", inputSizes(plan, kProfileWarmupSteps, timer.steps())},
      {"step_seconds", timer.wallSeconds() / n},
      {"phases", phases},
      {"median_step_seconds", timer.medianStepSeconds()},
      {"each_step_seconds", timer.eachStepSeconds()},
      {"uninstrumented",
       {{"steps", plainSteps},
        {"step_seconds",
         plainSteps > 0 ? plainTimer.wallSeconds() / static_cast<double>(plainSteps) : 0.0},
        {"median_step_seconds", plainTimer.medianStepSeconds()},
        {"each_step_seconds", plainTimer.eachStepSeconds()}}},
      {"host_to_device", datasetTransfer(data, device)},
      {"ops", ops},
      {"roofline", rooflineToJson(roof)}};
  // CPU tensors only: what a step holds against the machine's memory.
  if (device.is_cpu() && tensorMemoryCounted() && memory.peakBytes > 0)
    out["memory"] = {{"step_peak_bytes", memory.peakBytes},
                     {"resting_bytes", memory.restingBytes},
                     {"activation_bytes", memory.activationBytes()},
                     {"machine_bytes", static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
                                           static_cast<double>(sysconf(_SC_PAGESIZE))}};
  if (!writeFileAtomically(jsonPath, out.dump(2) + "\n"))
    throw std::runtime_error(jsonPath + ": cannot write");
}

} // namespace fiver::runtime
