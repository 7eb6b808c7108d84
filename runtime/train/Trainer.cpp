// Builds what a run needs from the plan, fires the events methods act on,
// and runs fit() as resume → epochs → final test; the pieces of the loop
// live beside it (TrainerImpl.h says where).
#include "runtime/train/Trainer.h"

#include "runtime/BlasThreads.h"
#include "runtime/distributed/DataParallel.h"
#include "runtime/metrics/StartupTimeline.h"
#include "runtime/model/ImportedWeights.h"
#include "runtime/optim/Optimizer.h"
#include "runtime/optim/TrainingOptimizer.h"
#include "runtime/train/Device.h"
#include "runtime/train/Loss.h"
#include "runtime/train/TrainerImpl.h"

#include <algorithm>
#include <thread>

namespace fiver::runtime {

// Drops gradients instead of zeroing them: no memset, and parameters that
// get no gradient next step (frozen ones) are skipped by the optimizer.
void clearGradients(torch::optim::Optimizer& opt) {
  for (auto& group : opt.param_groups())
    for (torch::Tensor& p : group.params())
      p.mutable_grad() = torch::Tensor();
}

namespace {

// The model's initial weights: the seeded generator's, or an imported model's.
PlanModel modelOn(const plan::Plan& p, const torch::Device& device) {
  PlanModel model(p.ops);
  loadImportedWeights(*model, p);
  model->to(device);
  synchronize(device);
  markStartup("model_ready");
  return model;
}

// Training data lives on the training device. Data passed in by the caller is
// used in place on the CPU and copied otherwise.
Dataset dataOn(const plan::Plan& p, const Dataset* given, const torch::Device& device) {
  Dataset placed;
  if (!given) placed = loadDataset(p.task, p.training.seed);
  if (!device.is_cpu()) placed = toDevice(given ? *given : placed, device);
  synchronize(device);
  markStartup("data_ready");
  return placed;
}

// The plan's methods, one a hook.
std::vector<std::unique_ptr<Method>> methodsOf(const plan::Plan& p) {
  std::vector<std::unique_ptr<Method>> methods;
  for (const plan::Method& m : p.methods)
    for (const std::string& hook : m.hooks)
      methods.push_back(createMethod(hook, m, p));
  return methods;
}

} // namespace

Trainer::Impl::Impl(const plan::Plan& p, const TrainOptions& o, const Dataset* d)
    : Impl(p, o, d, std::vector<std::unique_ptr<Method>>{}) {}

// The methods are made after the model, whose initial weights come from the
// seeded generator, and before the optimizer, which one of them may replace;
// `methods` takes them over at the end.
Trainer::Impl::Impl(const plan::Plan& p, const TrainOptions& o, const Dataset* d,
                    std::vector<std::unique_ptr<Method>> made)
    : plan(p), options(o), device(resolveDevice(o.device)), ownedData(dataOn(p, d, device)),
      data(d && device.is_cpu() ? *d : ownedData), model(modelOn(p, device)),
      optimizer(makeTrainingOptimizer(p, model, made = methodsOf(p), o.fusedOptimizer)),
      schedule(p.schedule, peakLearningRate(p.optimizer), p.training.totalSteps),
      augment(p.augment, data.padValue),
      loader(data.train, p.training.batchSize, p.training.seed), state{p, model, *optimizer},
      flops(p), tta(parseTestTimeAugmentation(o.tta, p.task)), methods(std::move(made)) {
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
  if (o.collectives && o.collectives->size() > 1) {
    state.collectives = o.collectives;
    loader.shard(o.collectives->rank(), o.collectives->size());
    // First in the list: it broadcasts the initial weights before any other
    // method copies them, and AFTER_* events reach it last, once compression
    // methods have had their chance to reduce the gradients themselves.
    const bool compressed = std::any_of(methods.begin(), methods.end(),
                                        [](const auto& m) { return m->reducesGradients(); });
    methods.insert(methods.begin(),
                   std::make_unique<distributed::DataParallel>(!compressed, o.syncBatchNorm));
  }
}

void Trainer::Impl::fire(Event e) {
  // Method hooks are a phase of their own, wherever in the step they run.
  PhaseTimer* timer = options.phases;
  const Phase interrupted = timer ? timer->current() : Phase::Other;
  if (timer) timer->enter(Phase::Methods);
  fireMethods(e);
  if (timer) timer->enter(interrupted);
}

void Trainer::Impl::fireMethods(Event e) {
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

bool Trainer::Impl::anyMethodAt(Event e) const {
  return std::any_of(methods.begin(), methods.end(),
                     [&](const auto& m) { return m->match(e, state); });
}

TrainResult Trainer::Impl::fit() {
  FitRun run(plan, options, evalSplitName());
  fire(Event::Init);
  model->train();
  // A resumed run reuses what methods chose before the first step.
  if (run.resuming) state.findings = loadCheckpointFindings(run.checkpointPath, plan);
  // What methods do before the first step (data scoring runs) is training time.
  markStartup("training_starts");
  const auto fitStart = Clock::now();
  fire(Event::FitStart);
  synchronize(device);
  run.trainSeconds = secondsSince(fitStart);
  logFindings(run);
  // Resuming: after FIT_START, so that what methods set up there (an
  // average's first copy, a pruned sampler) is overwritten by the saved state.
  if (run.resuming) resume(run);
  restartEvalLog(run);
  for (int64_t epoch = run.firstEpoch;
       state.step < run.total && !run.outOfTime && run.epochHadBatches; ++epoch)
    runEpoch(run, epoch);
  return finish(run);
}

TrainResult Trainer::Impl::finish(FitRun& run) {
  run.evalLog.finish();
  if (data.holdout.size() > 0) finalTest(run);
  checkpoint(run, state.epoch);
  fire(Event::FitEnd);
  TrainResult& result = run.result;
  result.steps = state.step;
  result.findings = state.findings;
  result.trainSeconds = run.trainSeconds;
  result.imagesPerSecond = static_cast<double>(run.images) / std::max(1e-9, run.trainSeconds);
  result.flops = flops.training();
  result.evalFlops = flops.evaluation();
  for (FlopKind k : {FlopKind::Step, FlopKind::Scoring, FlopKind::Sweep, FlopKind::Averaging})
    result.trainFlopsByKind[flopKindName(k)] = flops.of(k);
  result.parameters = flops.parameters();
  result.totalSeconds = run.totalSeconds();
  result.targetTrainSeconds = run.timeToTarget.trainSeconds();
  result.targetTotalSeconds = run.timeToTarget.wallSeconds();
  return std::move(result);
}

Trainer::Trainer(const plan::Plan& plan, const TrainOptions& options, const Dataset* data) {
  torch::manual_seed(plan.training.seed);
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  setBlasThreads(threads);
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
