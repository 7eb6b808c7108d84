// A run restored from its checkpoint for what comes after training (export,
// inspection): the model, optimizer and methods as the checkpoint left them,
// and the weights its evaluations used.
#include "runtime/train/TrainerImpl.h"

namespace fiver::runtime {

int64_t Trainer::restore(const std::string& checkpointPath) {
  Impl& run = *impl_;
  run.fire(Event::Init);
  run.model->train();
  // As a resumed run: methods reuse what they chose before the first step,
  // and what they set up at FIT_START is overwritten by the saved state.
  run.state.findings = loadCheckpointFindings(checkpointPath, run.plan);
  run.fire(Event::FitStart);
  const CheckpointProgress saved = loadCheckpoint(checkpointPath, run.checkpointParts());
  run.state.step = saved.step;
  run.state.epoch = saved.epoch;
  // Folding is a function of the step (layer_freezing folds a conv's batch
  // norm at its freeze step): the convs the run had folded run folded again.
  for (const plan::Op& op : run.plan.ops)
    if (op.freezeStep >= 0 && saved.step >= op.freezeStep &&
        !plan::getString(op.attrs, "fold_bn", "").empty())
      run.model->foldBatchNorm(op.name);
  return saved.step;
}

void Trainer::enterEvaluation() {
  impl_->fire(Event::EvalStart);
  impl_->model->eval();
}

void Trainer::leaveEvaluation() {
  impl_->model->train();
  impl_->fire(Event::EvalEnd);
}

bool Trainer::flipsAtEvaluation() const {
  return impl_->state.flipAtEvaluation || impl_->tta == TestTimeAugmentation::Flip;
}

bool Trainer::translatesAtEvaluation() const {
  return impl_->state.translateAtEvaluation > 0;
}

const Dataset& Trainer::data() const {
  return impl_->data;
}

} // namespace fiver::runtime
