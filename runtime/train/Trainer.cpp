#include "runtime/train/Trainer.h"

#include "runtime/data/Augment.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/distributed/DataParallel.h"
#include "runtime/distributed/GradientCompression.h"
#include "runtime/metrics/EvalLog.h"
#include "runtime/metrics/FlipTta.h"
#include "runtime/metrics/FlopCounter.h"
#include "runtime/metrics/MetricsLog.h"
#include "runtime/metrics/ProgressLine.h"
#include "runtime/metrics/TimeToTarget.h"
#include "runtime/optim/LrSchedule.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/TrainingOptimizer.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Device.h"
#include "runtime/train/FlopCharges.h"
#include "runtime/train/Loss.h"
#include "runtime/train/PendingLosses.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

namespace fiver::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Drops gradients instead of zeroing them: no memset, and parameters that
// get no gradient next step (frozen ones) are skipped by the optimizer.
void clearGradients(torch::optim::Optimizer& opt) {
  for (auto& group : opt.param_groups())
    for (torch::Tensor& p : group.params())
      p.mutable_grad() = torch::Tensor();
}

std::vector<double> flopsByKind(const FlopCounter& flops) {
  std::vector<double> byKind;
  for (size_t k = 0; k < static_cast<size_t>(FlopKind::Count); ++k)
    byKind.push_back(flops.of(static_cast<FlopKind>(k)));
  return byKind;
}

EvalLogLine logLineOf(const EvalPoint& e) {
  return {e.step, e.epoch, e.trainSeconds, e.accuracy};
}

PlanModel modelOn(const std::vector<plan::Op>& ops, const torch::Device& device) {
  PlanModel model(ops);
  model->to(device);
  return model;
}

// Training data lives on the training device. Data passed in by the caller is
// used in place on the CPU and copied otherwise.
Dataset dataOn(const plan::Plan& p, const Dataset* given, const torch::Device& device) {
  if (given) return device.is_cpu() ? Dataset{} : toDevice(*given, device);
  Dataset loaded = loadDataset(p.task, p.training.seed);
  return device.is_cpu() ? loaded : toDevice(loaded, device);
}

} // namespace

struct Trainer::Impl {
  Impl(const plan::Plan& p, const TrainOptions& o, const Dataset* d)
      : plan(p), options(o), device(resolveDevice(o.device)), ownedData(dataOn(p, d, device)),
        data(d && device.is_cpu() ? *d : ownedData), model(modelOn(p.ops, device)),
        optimizer(makeTrainingOptimizer(p, model, o.fusedOptimizer)),
        schedule(p.schedule, peakLearningRate(p.optimizer), p.training.totalSteps),
        augment(p.augment, data.padValue),
        loader(data.train, p.training.batchSize, p.training.seed), state{p, model, *optimizer},
        flops(p), tta(parseTestTimeAugmentation(o.tta, p.task)) {
    state.trainImages = &data.train.images;
    state.batchSize = p.training.batchSize;
    state.loader = &loader;
    state.flops = &flops;
    loader.setPrefetch(o.prefetch);
    state.setPeakLearningRate = [this](double peak) {
      schedule = LrSchedule(plan.schedule, peak, plan.training.totalSteps);
    };
    state.updateLoss = [this] {
      fire(Event::BeforeLoss);
      state.loss = trainingLoss(state);
      fire(Event::AfterLoss);
      return state.loss;
    };
    state.recomputeGradients = [this] {
      clearGradients(*optimizer);
      const torch::Tensor firstOutput = state.output, firstLoss = state.loss;
      // Batch-norm statistics count the step's first pass only.
      std::vector<torch::Tensor> buffers = model->buffers(), saved;
      for (const torch::Tensor& b : buffers)
        saved.push_back(b.clone());
      state.output = model->forward(state.images);
      state.updateLoss().backward();
      ++state.gradientEvaluations;
      state.output = firstOutput;
      state.loss = firstLoss;
      torch::NoGradGuard noGrad;
      for (size_t i = 0; i < buffers.size(); ++i)
        buffers[i].copy_(saved[i]);
    };
    for (const plan::Method& m : p.methods)
      for (const std::string& hook : m.hooks)
        methods.push_back(createMethod(hook, m, p));
    if (o.collectives && o.collectives->size() > 1) {
      state.collectives = o.collectives;
      loader.shard(o.collectives->rank(), o.collectives->size());
      // First in the list: it broadcasts the initial weights before any other
      // method copies them, and AFTER_* events reach it last, once compression
      // methods have had their chance to reduce the gradients themselves.
      bool compressed = false;
      for (const auto& m : methods)
        compressed = compressed || dynamic_cast<const distributed::GradientCompressor*>(m.get());
      methods.insert(methods.begin(),
                     std::make_unique<distributed::DataParallel>(!compressed, o.syncBatchNorm));
    }
  }

  // Runs every method that matches `e`; AFTER_* events in reverse order.
  void fire(Event e) {
    // Method hooks are a phase of their own, wherever in the step they run.
    PhaseTimer* timer = options.phases;
    const Phase interrupted = timer ? timer->current() : Phase::Other;
    if (timer) timer->enter(Phase::Methods);
    fireMethods(e);
    if (timer) timer->enter(interrupted);
  }

  void fireMethods(Event e) {
    for (RunObserver* o : options.observers)
      o->beforeMethods(e, state);
    if (isAfterEvent(e)) {
      for (auto it = methods.rbegin(); it != methods.rend(); ++it)
        if ((*it)->match(e, state)) (*it)->apply(e, state);
    } else {
      for (auto& m : methods)
        if (m->match(e, state)) m->apply(e, state);
    }
    for (RunObserver* o : options.observers)
      o->afterMethods(e, state);
  }

  bool anyMethodAt(Event e) const {
    return std::any_of(methods.begin(), methods.end(),
                       [&](const auto& m) { return m->match(e, state); });
  }

  // The held-out examples stand in for the test split during the run.
  const Split& evalSplit() const { return data.holdout.size() > 0 ? data.holdout : data.test; }
  const char* evalSplitName() const { return data.holdout.size() > 0 ? "holdout" : "test"; }

  std::pair<double, double> evaluate() { return evaluateOn(evalSplit()); }

  std::pair<double, double> evaluateOn(const Split& test) {
    torch::NoGradGuard noGrad;
    fire(Event::EvalStart);
    model->eval();
    int64_t correct = 0, predictions = 0; // a sequence model predicts every token
    double lossSum = 0;
    namespace F = torch::nn::functional;
    for (int64_t start = 0; start < test.size(); start += plan.training.evalBatchSize) {
      int64_t n = std::min(plan.training.evalBatchSize, test.size() - start);
      torch::Tensor x = test.images.narrow(0, start, n), y = test.labels.narrow(0, start, n);
      torch::Tensor out;
      const bool flipped = state.flipAtEvaluation || tta == TestTimeAugmentation::Flip;
      chargeForward(state, FlopKind::Evaluation, x, flipped ? 2 : 1);
      std::tie(out, y) = flattenPositions(
          evaluationLogits(model, x, state.flipAtEvaluation ? TestTimeAugmentation::Flip : tta), y);
      predictions += y.size(0);
      correct += out.argmax(1).eq(y).sum().item<int64_t>();
      lossSum += F::cross_entropy(out, y, F::CrossEntropyFuncOptions().reduction(torch::kSum))
                     .item<double>();
    }
    model->train();
    fire(Event::EvalEnd);
    double count = static_cast<double>(std::max<int64_t>(1, predictions));
    return {static_cast<double>(correct) / count, lossSum / count};
  }

  // With a holdout the test split is evaluated once, after training, and
  // labelled as such: nothing during the run may be tuned on it.
  void finalTest(TrainResult& result, MetricsLog& log) {
    result.evalSplit = "holdout";
    result.holdoutAccuracy = result.testAccuracy;
    double testLoss = 0;
    std::tie(result.testAccuracy, testLoss) = evaluateOn(data.test);
    log.write({{"event", "final_test"},
               {"step", state.step},
               {"test_accuracy", result.testAccuracy},
               {"test_loss", testLoss},
               {"holdout_accuracy", result.holdoutAccuracy}});
    log.line("final test acc " + percent(result.testAccuracy) +
             " (evaluated once, after training)  holdout acc " + percent(result.holdoutAccuracy));
  }

  TrainResult fit() {
    TrainResult result;
    const auto runStart = Clock::now();
    // Wall time of the whole run: a resumed run adds the time before its checkpoint.
    double totalBefore = 0;
    auto totalSeconds = [&] { return totalBefore + secondsSince(runStart); };
    TimeToTarget timeToTarget(options.targetAccuracy);
    std::optional<double> lastAccuracy;
    if (!options.outDir.empty() && options.writeOutputs)
      std::filesystem::create_directories(options.outDir);
    const std::string checkpointPath =
        options.outDir.empty() ? "" : options.outDir + "/checkpoint.pt";
    const std::string metricsPath =
        options.outDir.empty() || !options.writeOutputs ? "" : options.outDir + "/metrics.jsonl";
    const bool resuming =
        options.resume && !checkpointPath.empty() && std::filesystem::exists(checkpointPath);
    auto log = std::make_unique<MetricsLog>(metricsPath, options.quiet, resuming);
    const int64_t total = options.maxSteps > 0
                              ? std::min(options.maxSteps, plan.training.totalSteps)
                              : plan.training.totalSteps;
    const int64_t epochs = (total + plan.training.stepsPerEpoch - 1) / plan.training.stepsPerEpoch;
    double trainSeconds = 0;
    int64_t images = 0;
    int64_t bytesReducedBefore = 0, lastStepBytesReduced = 0;

    fire(Event::Init);
    model->train();
    // A resumed run reuses what methods chose before the first step.
    if (resuming) state.findings = loadCheckpointFindings(checkpointPath, plan);
    // What methods do before the first step (data scoring runs) is training time.
    const auto fitStart = Clock::now();
    fire(Event::FitStart);
    synchronize(device);
    trainSeconds = secondsSince(fitStart);
    for (const auto& [name, value] : state.findings) {
      log->write({{"event", "finding"}, {"name", name}, {"value", value}});
      log->line(name + " = " + std::to_string(value));
    }
    // Resuming: after FIT_START, so that what methods set up there (an
    // average's first copy, a pruned sampler) is overwritten by the saved state.
    const CheckpointParts parts{plan, model, *optimizer, methods};
    int64_t firstEpoch = 0;
    std::optional<BatchLoader::Position> resumePosition;
    if (resuming) {
      CheckpointProgress saved = loadCheckpoint(checkpointPath, parts);
      state.step = saved.step;
      firstEpoch = saved.epoch;
      resumePosition = saved.loader;
      trainSeconds = saved.trainSeconds;
      totalBefore = saved.totalSeconds;
      images = saved.images;
      // The steps before the checkpoint as they ran (shortened sequences,
      // recomputed gradients); older checkpoints: as the plan schedules them.
      if (!saved.flopsByKind.empty())
        for (size_t k = 0; k < saved.flopsByKind.size(); ++k)
          flops.charge(static_cast<FlopKind>(k), saved.flopsByKind[k]);
      else if (saved.flops >= 0)
        flops.addCounted(saved.flops);
      else
        flops.addPlannedSteps(plan, saved.step);
      result.epochs = saved.epochs;
      // The epoch under way at the checkpoint is run to its end again and
      // recorded then: a record of it (it was cut short) goes.
      while (!result.epochs.empty() && result.epochs.back().epoch > firstEpoch)
        result.epochs.pop_back();
      result.evalPoints = saved.evalPoints;
      result.evaluations = saved.evaluations;
      if (!result.epochs.empty()) result.testAccuracy = result.epochs.back().accuracy;
      if (!metricsPath.empty()) {
        log.reset();
        MetricsLog::keepRecordsCoveredBy(metricsPath, saved.step);
        log = std::make_unique<MetricsLog>(metricsPath, options.quiet, true);
      }
      // Said even when quiet: a resumed run must never pass for a fresh one.
      if (options.writeOutputs)
        std::fprintf(stderr, "resumed from %s at step %lld\n", checkpointPath.c_str(),
                     static_cast<long long>(saved.step));
    }
    auto checkpoint = [&](int64_t epoch) {
      if (checkpointPath.empty() || !options.writeOutputs) return;
      saveCheckpoint(checkpointPath, parts,
                     {state.step, epoch, loader.position(), trainSeconds, totalSeconds(),
                      flops.total(), images, result.epochs, result.evalPoints, result.evaluations,
                      state.findings, flopsByKind(flops)});
    };
    // eval.jsonl: a resumed run starts from the evaluations its checkpoint
    // holds, so that none is written twice.
    EvalLog evalLog(metricsPath.empty() ? "" : options.outDir + "/eval.jsonl", evalSplitName());
    {
      std::vector<EvalLogLine> earlier;
      for (const EvalPoint& e : result.evaluations)
        earlier.push_back(logLineOf(e));
      evalLog.restart(earlier);
    }
    // The loss of the last evaluation this process ran, and its step.
    std::optional<std::pair<int64_t, double>> lastEvalLoss;
    auto recordEvaluation = [&](const EvalPoint& e) {
      result.evaluations.push_back(e);
      evalLog.append(logLineOf(e));
    };
    // The plan's wall-clock budget counts training time only; the run stops
    // after the step that crosses it and still evaluates.
    const double timeLimit = plan.training.timeLimitSeconds;
    bool outOfTime = false;
    // The budget is in steps: data methods may shorten epochs (pruning) or
    // lengthen them (echoing, smaller batches), so `epochs` is only the plan's
    // estimate for the progress line. An epoch that yields no batch ends the run.
    bool epochHadBatches = true;
    for (int64_t epoch = firstEpoch; state.step < total && !outOfTime && epochHadBatches; ++epoch) {
      state.epoch = epoch;
      loader.startEpoch(epoch);
      // A resumed epoch may have nothing left to load; it still counts.
      bool resumedEpoch = false;
      if (resumePosition) {
        loader.restore(*resumePosition);
        resumedEpoch = resumePosition->drawn > 0;
        resumePosition.reset();
      }
      model->train();
      fire(Event::EpochStart);
      auto epochStart = Clock::now();
      double lossSum = 0, loss = 0;
      int64_t lossCount = 0;
      PendingLosses losses(device.is_cuda() && !state.collectives);
      // Reads the losses queued since the last read and waits for the device,
      // so that the train time read next is the device's too.
      auto readLosses = [&] {
        for (double value : losses.read()) {
          if (state.collectives) value = state.collectives->mean(value);
          result.stepLosses.push_back(value);
          lossSum += value;
          ++lossCount;
          loss = value;
        }
        synchronize(device);
      };
      torch::Tensor x, y;
      // Train time covers batching, augmentation and the step; not evaluation.
      const double secondsBefore = trainSeconds;
      epochHadBatches = false;
      auto timeOff = Clock::duration::zero(); // checkpoint writing is not training
      auto trainSecondsNow = [&] {
        return secondsBefore + secondsSince(epochStart) -
               std::chrono::duration<double>(timeOff).count();
      };
      while (state.step < total && !outOfTime && loader.next(x, y)) {
        epochHadBatches = true;
        fire(Event::BatchStart);
        state.images = augment(x);
        state.labels = y;
        state.targets = torch::Tensor();
        fire(Event::AfterData);
        double lr = schedule.at(state.step);
        setLearningRate(*optimizer, lr);
        fire(Event::BeforeForward);
        if (PhaseTimer* t = options.phases) {
          model->setOpTimes(t->counting() ? options.opTimes : nullptr);
          t->enter(Phase::Forward);
        }
        const int64_t passesBefore = state.gradientEvaluations;
        state.output = model->forward(state.images);
        // Token batches [B, T']: the sequence length stands in for the height.
        const bool spatial = state.images.dim() == 4, tokens = state.images.dim() == 2;
        const int64_t height = spatial  ? state.images.size(2)
                               : tokens ? state.images.size(1)
                                        : 1,
                      width = spatial ? state.images.size(3) : 1;
        const int64_t stepImages = state.images.size(0);
        if (options.phases) options.phases->enter(Phase::Loss);
        fire(Event::AfterForward);
        state.updateLoss();
        fire(Event::BeforeBackward);
        if (options.phases) options.phases->enter(Phase::Backward);
        state.loss.backward();
        ++state.gradientEvaluations;
        if (options.phases) options.phases->enter(Phase::Optimizer);
        fire(Event::AfterBackward);
        fire(Event::BeforeOptimizerStep);
        optimizer->step();
        fire(Event::AfterOptimizerStep);
        clearGradients(*optimizer);
        if (options.phases) options.phases->enter(Phase::Other);
        losses.add(state.loss);
        fire(Event::BatchEnd);
        flops.addStep(stepImages * (state.collectives ? state.collectives->size() : 1), height,
                      width, state.gradientEvaluations - passesBefore);
        ++state.step;
        if (losses.due(state.step) || state.step == total) readLosses();
        trainSeconds = trainSecondsNow();
        outOfTime = timeLimit > 0 && trainSeconds >= timeLimit;
        // Ranks stop together: one rank leaving the loop alone would hang the others.
        if (timeLimit > 0 && state.collectives)
          outOfTime = state.collectives->mean(outOfTime ? 1.0 : 0.0) > 0;
        images += x.size(0) * (state.collectives ? state.collectives->size() : 1);
        const double rate = static_cast<double>(images) / std::max(1e-9, trainSeconds);
        if (state.collectives) {
          const int64_t reduced = state.collectives->bytesReduced();
          lastStepBytesReduced = reduced - bytesReducedBefore;
          bytesReducedBefore = reduced;
          result.stepBytesReduced.push_back(lastStepBytesReduced);
        }
        if (state.step % 50 == 0 || state.step == total) {
          nlohmann::json record = {{"event", "train"},
                                   {"step", state.step},
                                   {"epoch", epoch + 1},
                                   {"loss", loss},
                                   {"lr", lr},
                                   {"images_per_second", rate},
                                   {"train_seconds", trainSeconds},
                                   {"batches_loaded", loader.loads()}};
          if (state.collectives) record["bytes_all_reduced_per_step"] = lastStepBytesReduced;
          log->write(record);
        }
        if (options.evalEvery > 0 && state.step % options.evalEvery == 0 && state.step < total) {
          if (!losses.empty()) {
            readLosses();
            trainSeconds = trainSecondsNow();
          }
          const auto before = Clock::now();
          const auto [accuracy, evalLoss] = evaluate();
          timeOff += Clock::now() - before;
          const EvalPoint point{state.step,
                                static_cast<double>(state.step) /
                                    static_cast<double>(plan.training.stepsPerEpoch),
                                accuracy, trainSeconds};
          result.evalPoints.push_back(point);
          recordEvaluation(point);
          lastEvalLoss = {state.step, evalLoss};
          lastAccuracy = accuracy;
          timeToTarget.observe(accuracy, trainSeconds, totalSeconds());
          log->write({{"event", "eval"},
                      {"step", state.step},
                      {std::string(evalSplitName()) + "_accuracy", accuracy},
                      {"train_seconds", trainSeconds}});
        }
        // After the evaluation at the same step, so that a resumed run has it.
        if (options.checkpointEvery > 0 && state.step % options.checkpointEvery == 0 &&
            state.step < total) {
          const auto before = Clock::now();
          checkpoint(epoch);
          timeOff += Clock::now() - before;
        }
        if (state.step % 10 == 0 || state.step == total) {
          log->progress(progressLine({epoch + 1, epochs, state.step, total, loss, lastAccuracy,
                                      evalSplitName(), rate, trainSeconds}));
        }
        if (options.phases) options.phases->endStep(state.step - 1);
      }
      if (!losses.empty()) {
        readLosses();
        trainSeconds = trainSecondsNow();
      }
      epochHadBatches = epochHadBatches || resumedEpoch;
      fire(Event::EpochEnd);
      EpochResult er;
      er.epoch = epoch + 1;
      er.trainSeconds = trainSeconds;
      if (options.evalEachEpoch || state.step >= total || outOfTime) {
        // An --eval-every point at the epoch's last step has evaluated this
        // model already when no method acts at the epoch's end: that
        // evaluation is the epoch's too, and the log keeps one line for it.
        const bool evaluatedHere = !result.evaluations.empty() &&
                                   result.evaluations.back().step == state.step &&
                                   !anyMethodAt(Event::EpochEnd);
        if (evaluatedHere && lastEvalLoss && lastEvalLoss->first == state.step) {
          er.accuracy = result.evaluations.back().accuracy;
          er.loss = lastEvalLoss->second;
        } else {
          std::tie(er.accuracy, er.loss) = evaluate();
          lastEvalLoss = {state.step, er.loss};
        }
        if (!evaluatedHere) {
          // Epochs done: all of this one when its batches ran out, else the
          // part of it the steps cover (a step or time budget ended it).
          const bool cutShort = state.step >= total || outOfTime;
          const double epochsDone =
              cutShort ? std::clamp(static_cast<double>(state.step) /
                                        static_cast<double>(plan.training.stepsPerEpoch),
                                    static_cast<double>(epoch), static_cast<double>(epoch + 1))
                       : static_cast<double>(epoch + 1);
          recordEvaluation({state.step, epochsDone, er.accuracy, trainSeconds});
        }
        result.testAccuracy = er.accuracy;
        lastAccuracy = er.accuracy;
        timeToTarget.observe(er.accuracy, trainSeconds, totalSeconds());
      }
      result.epochs.push_back(er);
      const std::string split = evalSplitName();
      log->write({{"event", "eval"},
                  {"epoch", er.epoch},
                  {"step", state.step},
                  {"train_loss", lossSum / std::max<int64_t>(1, lossCount)},
                  {split + "_accuracy", er.accuracy},
                  {split + "_loss", er.loss},
                  {"train_seconds", trainSeconds},
                  {"epoch_seconds", secondsSince(epochStart)}});
      log->line("epoch " + std::to_string(er.epoch) + "/" + std::to_string(epochs) + "  loss " +
                fixed(lossSum / std::max<int64_t>(1, lossCount), 4) + "  " + split + " acc " +
                percent(er.accuracy) + "  train " + fixed(trainSeconds, 1) + " s");
    }
    evalLog.finish();
    if (data.holdout.size() > 0) finalTest(result, *log);
    checkpoint(state.epoch);
    fire(Event::FitEnd);
    result.steps = state.step;
    result.findings = state.findings;
    result.trainSeconds = trainSeconds;
    result.imagesPerSecond = static_cast<double>(images) / std::max(1e-9, trainSeconds);
    result.flops = flops.training();
    result.evalFlops = flops.evaluation();
    for (FlopKind k : {FlopKind::Step, FlopKind::Scoring, FlopKind::Sweep, FlopKind::Averaging})
      result.trainFlopsByKind[flopKindName(k)] = flops.of(k);
    result.parameters = flops.parameters();
    result.totalSeconds = totalSeconds();
    result.targetTrainSeconds = timeToTarget.trainSeconds();
    result.targetTotalSeconds = timeToTarget.wallSeconds();
    return result;
  }

  const plan::Plan& plan;
  TrainOptions options;
  torch::Device device;
  Dataset ownedData;
  const Dataset& data;
  PlanModel model;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  LrSchedule schedule;
  Augmenter augment;
  BatchLoader loader;
  TrainState state;
  FlopCounter flops;
  TestTimeAugmentation tta;
  std::vector<std::unique_ptr<Method>> methods;
};

Trainer::Trainer(const plan::Plan& plan, const TrainOptions& options, const Dataset* data) {
  torch::manual_seed(plan.training.seed);
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  impl_ = std::make_unique<Impl>(plan, options, data);
}

Trainer::~Trainer() = default;

TrainResult Trainer::fit() {
  return impl_->fit();
}
std::pair<double, double> Trainer::evaluate() {
  return impl_->evaluate();
}
PlanModel& Trainer::model() {
  return impl_->model;
}
TrainState& Trainer::state() {
  return impl_->state;
}
const std::vector<std::unique_ptr<Method>>& Trainer::methods() const {
  return impl_->methods;
}

TrainResult train(const plan::Plan& plan, const TrainOptions& options, const Dataset* data) {
  Trainer trainer(plan, options, data);
  return trainer.fit();
}

} // namespace fiver::runtime
