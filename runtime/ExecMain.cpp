// 5rc-exec: runs a plan written by `5rc compile` and reports the result.
//
//   5rc-exec PLAN.yaml [--out DIR] [--threads N] [--device D] [--max-steps N] [--quiet]
//            [--nproc N] [--timeout S] [--no-fused-optimizer] [--target ACC] [--tta flip]
//            [--eval-every N]
//   5rc-exec --roofline [--threads N] [--remeasure-roofline] [--roofline-format json]
//   5rc-exec export RUN_DIR -o model.onnx [--fold-bn] [--reference N|all] (runtime/export/)
// Data-parallel: `--nproc N` starts N local ranks; a process started with
// torchrun's variables (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT) is one rank.
#include "compiler/plan/Plan.h"
#include "compiler/plan/PlanVerifier.h"
#include "compiler/support/AtomicFile.h"
#include "runtime/BlasCoreType.h"
#include "runtime/HostMemory.h"
#include "runtime/data/IdxReader.h"
#include "runtime/distributed/GlooCollectives.h"
#include "runtime/distributed/Launcher.h"
#include "runtime/export/ExportCommand.h"
#include "runtime/kernels/KernelStats.h"
#include "runtime/metrics/MetricsLog.h"
#include "runtime/metrics/StartupTimeline.h"
#include "runtime/metrics/TensorMemory.h"
#include "runtime/metrics/Utilization.h"
#include "runtime/profile/ProfileRun.h"
#include "runtime/profile/Roofline.h"
#include "runtime/profile/RooflineCache.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

using namespace fiver;

int main(int argc, char** argv) {
  fiver::runtime::startProcessClock(); // StartupTimeline's marks count from here
  fiver::runtime::chooseOpenBlasCoreType(argv);
  fiver::runtime::keepFreedHostMemory();
  fiver::runtime::countTensorMemory();
  if (argc > 1 && std::string(argv[1]) == "export")
    return runtime::runExportCommand(argc - 1, argv + 1);
  CLI::App app{"5rc-exec: execute a FiveR plan on LibTorch"};
  std::string planPath;
  runtime::TrainOptions options;
  app.add_option("plan", planPath, "plan file (YAML) from 5rc compile");
  app.add_option("--out", options.outDir, "folder for metrics.jsonl, eval.jsonl and summary.json");
  app.add_option("--threads", options.threads, "intra-op threads (default: all cores)");
  app.add_option("--device", options.device, "cpu (default), cuda, cuda:N or auto");
  app.add_option("--max-steps", options.maxSteps, "stop after N steps");
  app.add_flag("--quiet", options.quiet, "no per-epoch lines");
  bool noPrefetch = false;
  app.add_flag("--no-prefetch", noPrefetch,
               "load each batch when the step asks for it, not on a background thread");
  app.add_flag("!--no-fused-optimizer", options.fusedOptimizer,
               "step SGD and AdamW with torch::optim's own kernels");
  app.add_option("--target", options.targetAccuracy,
                 "report the time to this accuracy (a fraction, e.g. 0.9)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--tta", options.tta, "test-time augmentation at evaluation: none or flip")
      ->check(CLI::IsMember({"none", "flip"}));
  app.add_option("--eval-every", options.evalEvery, "also evaluate every N steps")
      ->check(CLI::PositiveNumber);
  int nproc = 1;
  int timeoutSeconds = 60;
  app.add_option("--nproc", nproc, "data-parallel ranks to start on this machine")
      ->check(CLI::Range(1, 256));
  app.add_option("--timeout", timeoutSeconds,
                 "seconds a rank waits for the others before giving up (default 60)")
      ->check(CLI::Range(1, 86400));
  options.checkpointEvery = 500;
  app.add_option("--checkpoint-every", options.checkpointEvery,
                 "write --out/checkpoint.pt every N steps (0: only at the end; default 500)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--resume", options.resume, "continue from --out/checkpoint.pt when it exists");
  app.add_flag("--sync-batchnorm", options.syncBatchNorm,
               "data-parallel: batch-norm statistics over all ranks' examples");
  int64_t profileSteps = 0;
  std::string profileOut = "profile.json";
  app.add_option("--profile", profileSteps,
                 "profile N steps (after a short warm-up) instead of training")
      ->check(CLI::PositiveNumber);
  app.add_option("--profile-out", profileOut, "where --profile writes its JSON");
  bool showRoofline = false, remeasureRoofline = false;
  std::string rooflineFormat = "text";
  app.add_flag("--roofline", showRoofline,
               "print this machine's roofline (peaks, bandwidth) and its provenance; no plan");
  app.add_flag("--remeasure-roofline", remeasureRoofline,
               "measure the roofline again, ignoring the cached one");
  app.add_option("--roofline-format", rooflineFormat, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  CLI11_PARSE(app, argc, argv);
  const int machineThreads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (showRoofline) {
    const runtime::Roofline roof = runtime::cachedRoofline(machineThreads, remeasureRoofline);
    std::cout << (rooflineFormat == "json" ? runtime::rooflineToJson(roof).dump(2) + "\n"
                                           : runtime::rooflineProvenanceText(roof));
    return 0;
  }
  if (planPath.empty()) {
    std::cerr << "5rc-exec: a plan file is required (or --roofline)\n";
    return 2;
  }
  options.prefetch = !noPrefetch;

  try {
    const runtime::distributed::World world = runtime::distributed::worldFromEnvironment();
    if (nproc > 1 && !world.isDistributed())
      return runtime::distributed::launchLocalRanks(nproc, argc, argv,
                                                    std::chrono::seconds(timeoutSeconds + 10));
    if (const char* t = std::getenv("FIVER_DEFAULT_THREADS"); t && options.threads == 0)
      options.threads = std::atoi(t);
    std::unique_ptr<runtime::distributed::GlooCollectives> collectives;
    if (world.isDistributed()) {
      collectives = std::make_unique<runtime::distributed::GlooCollectives>(
          world, std::chrono::seconds(timeoutSeconds));
      options.collectives = collectives.get();
      if (world.rank != 0) { // rank 0 speaks and writes for the run
        options.writeOutputs = false;
        options.quiet = true;
      }
    }
    plan::Plan p = plan::readPlan(planPath);
    plan::requireConsistentPlan(p, planPath); // a hand-edited plan fails here, by op and field
    runtime::markStartup("plan_read");
    if (profileSteps > 0) {
      runtime::runProfile(p, options, profileSteps, profileOut);
      return 0;
    }
    const int threads = machineThreads;
    // MFU needs a peak: measured (and cached) for this thread count on the
    // CPU, for the dtype the plan's matrix work runs in (bf16 inside
    // mixed-precision regions); unknown on other devices and when several
    // ranks share the machine. Measured after training (the run's own
    // threads are idle by then, and its start is not delayed); the load
    // check reads who runs now, not the lagging load average.
    const bool onCpu = options.device == "cpu";
    const bool bf16 = std::any_of(p.ops.begin(), p.ops.end(),
                                  [](const plan::Op& op) { return op.dtype == "bf16"; });
    runtime::TrainResult r = runtime::train(p, options);
    if (world.rank != 0) return 0;
    std::optional<runtime::Roofline> roof;
    if (onCpu && world.size == 1) roof = runtime::cachedRoofline(threads);
    const runtime::Utilization use =
        runtime::utilization(r.flops, r.trainSeconds, roof ? &*roof : nullptr, bf16);
    const double achieved = use.achieved, peak = use.peak, mfu = use.mfu;
    const bool heldOut = r.evalSplit == "holdout";
    char heldOutText[96] = "";
    if (heldOut)
      std::snprintf(heldOutText, sizeof heldOutText, " (once, at the end), holdout accuracy %.2f%%",
                    r.holdoutAccuracy * 100);
    char line[320];
    std::snprintf(
        line, sizeof line, "%s: %lld epochs (%lld steps), test accuracy %.2f%%%s, train %.1f s",
        p.recipe.c_str(), static_cast<long long>(r.epochs.size()), static_cast<long long>(r.steps),
        r.testAccuracy * 100, heldOutText, r.trainSeconds);
    char rates[256];
    std::snprintf(rates, sizeof rates, ", total %.1f s, %.3g FLOP/s", r.totalSeconds, achieved);
    std::string finalLine = std::string(line) + rates;
    finalLine += runtime::utilizationText(use, roof ? roof->untrusted : "");
    if (options.targetAccuracy > 0) {
      if (r.targetTrainSeconds)
        std::snprintf(rates, sizeof rates, ", target %.2f%% reached at train %.1f s (total %.1f s)",
                      options.targetAccuracy * 100, *r.targetTrainSeconds, *r.targetTotalSeconds);
      else
        std::snprintf(rates, sizeof rates, ", target %.2f%% not reached",
                      options.targetAccuracy * 100);
      finalLine += rates;
    }
    std::cout << finalLine << std::endl;
    // Kernel compile time is part of train time: say how much, and how much
    // the kernel cache saved.
    const auto kernelCounts = kernels::kernelStats();
    std::string kernelLine;
    for (const auto& [backend, k] : kernelCounts)
      if (k.compiled + k.cacheHits > 0) {
        std::snprintf(line, sizeof line, "%s%s %d compiled in %.2f s, %d from cache",
                      kernelLine.empty() ? "kernels: " : "; ", backend.c_str(), k.compiled,
                      k.compileSeconds, k.cacheHits);
        kernelLine += line;
      }
    if (!kernelLine.empty()) std::cout << kernelLine << std::endl;
    // The first epoch against the later steps' rate (runs of two epochs or more).
    const runtime::StartupReport startup = runtime::startupReport();
    const int64_t firstEpochSteps = std::min(p.training.stepsPerEpoch, r.steps);
    const double firstEpochSeconds = r.epochs.empty() ? 0 : r.epochs.front().trainSeconds;
    const double laterStepSeconds =
        r.epochs.size() >= 2 && r.steps > firstEpochSteps
            ? (r.trainSeconds - firstEpochSeconds) / static_cast<double>(r.steps - firstEpochSteps)
            : 0;
    std::cout << runtime::startupText(startup, laterStepSeconds, firstEpochSeconds, firstEpochSteps)
              << std::endl;
    const runtime::StepMemory memory = runtime::largestStepMemory();
    if (memory.peakBytes > 0) {
      char line[160];
      std::snprintf(line, sizeof line,
                    "memory: CPU tensors peak at %.1f MB in a step, %.1f MB above the %.1f MB "
                    "held between steps",
                    memory.peakBytes / 1e6, memory.activationBytes() / 1e6,
                    memory.restingBytes / 1e6);
      std::cout << line << std::endl;
    }
    if (!options.outDir.empty()) {
      nlohmann::json summary = {
          {"recipe", p.recipe},
          {"source_hash", p.sourceHash},
          {"epochs", r.epochs.size()},
          {"steps", r.steps},
          {"test_accuracy", r.testAccuracy},
          {"eval_split", r.evalSplit},
          {"train_seconds", r.trainSeconds},
          {"total_seconds", r.totalSeconds},
          {"images_per_second", r.imagesPerSecond},
          {"flops", r.flops},
          {"train_flops", r.flops},
          {"train_flops_by_kind", r.trainFlopsByKind},
          {"eval_flops", r.evalFlops},
          {"parameters", r.parameters},
          {"achieved_flops_per_second", achieved},
          {"tta", options.tta},
          {"device", options.device},
          {"world_size", world.size},
          {"threads", threads},
      };
      if (peak > 0) {
        summary["peak_flops_per_second"] = peak;
        summary["peak_dtype"] = use.dtype;
        summary["peak_kernel"] = use.kernel;
        summary["peak_trusted"] = use.peakTrusted;
        if (!use.peakTrusted) summary["peak_untrusted"] = roof->untrusted;
        summary["mfu"] = mfu;
      }
      // Time to target: train time (evaluation excluded) and wall time
      // (evaluation included) at the first evaluation reaching it, else null.
      if (options.targetAccuracy > 0) {
        summary["target_accuracy"] = options.targetAccuracy;
        summary["time_to_target"] = r.targetTrainSeconds
                                        ? nlohmann::json{{"train_seconds", *r.targetTrainSeconds},
                                                         {"total_seconds", *r.targetTotalSeconds}}
                                        : nlohmann::json(nullptr);
      }
      // With a holdout, the curve (and time to a target read from it) is the
      // holdout's; test_accuracy above is the one evaluation of the test split.
      if (heldOut) {
        summary["holdout_accuracy"] = r.holdoutAccuracy;
        summary["holdout_size"] = p.task.holdout;
      }
      nlohmann::json curve = nlohmann::json::array();
      for (const runtime::EpochResult& e : r.epochs)
        curve.push_back({{"epoch", e.epoch},
                         {r.evalSplit + "_accuracy", e.accuracy},
                         {"train_seconds", e.trainSeconds}});
      summary["epoch_curve"] = curve;
      if (!r.evalPoints.empty()) {
        nlohmann::json points = nlohmann::json::array();
        for (const runtime::EvalPoint& e : r.evalPoints)
          points.push_back({{"step", e.step},
                            {"epoch", e.epoch},
                            {r.evalSplit + "_accuracy", e.accuracy},
                            {"train_seconds", e.trainSeconds}});
        summary["eval_curve"] = points;
      }
      for (const auto& [backend, k] : kernelCounts)
        summary["kernels"][backend] = {{"compiled", k.compiled},
                                       {"cache_hits", k.cacheHits},
                                       {"compile_seconds", k.compileSeconds}};
      // What methods chose before training (lr_range_test's rate).
      for (const auto& [name, value] : r.findings)
        summary["findings"][name] = value;
      summary["startup"] = runtime::startupJson(startup);
      summary["startup"]["first_epoch_train_seconds"] = firstEpochSeconds;
      if (laterStepSeconds > 0) {
        summary["startup"]["later_step_seconds"] = laterStepSeconds;
        summary["startup"]["first_epoch_over_later_rate_seconds"] =
            firstEpochSeconds - laterStepSeconds * static_cast<double>(firstEpochSteps);
      }
      if (memory.peakBytes > 0)
        summary["memory"] = {{"step_peak_bytes", memory.peakBytes},
                             {"resting_bytes", memory.restingBytes},
                             {"activation_bytes", memory.activationBytes()}};
      if (!r.stepBytesReduced.empty()) {
        double total = 0;
        for (int64_t b : r.stepBytesReduced)
          total += static_cast<double>(b);
        summary["bytes_all_reduced_per_step"] = {
            {"first", r.stepBytesReduced.front()},
            {"last", r.stepBytesReduced.back()},
            {"mean", total / static_cast<double>(r.stepBytesReduced.size())}};
      }
      if (!writeFileAtomically(options.outDir + "/summary.json", summary.dump(2) + "\n"))
        throw std::runtime_error(options.outDir + "/summary.json: cannot write");
    }
  } catch (const runtime::CheckpointError& e) {
    std::cerr << "5rc-exec: error: " << e.what() << "\n";
    return 1;
  } catch (const plan::PlanError& e) {
    std::cerr << "5rc-exec: error: " << e.what() << "\n";
    return 1;
  } catch (const runtime::DataError& e) {
    std::cerr << "5rc-exec: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "5rc-exec: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
