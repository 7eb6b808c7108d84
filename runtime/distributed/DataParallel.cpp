#include "runtime/distributed/DataParallel.h"

#include "runtime/distributed/SyncBatchNorm.h"
#include "runtime/train/Collectives.h"

#include <stdexcept>

namespace fiver::runtime::distributed {

namespace {

std::vector<torch::Tensor> buffersOf(PlanModel& model) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& b : model->buffers())
    out.push_back(b);
  return out;
}

} // namespace

void DataParallel::apply(Event e, TrainState& s) {
  if (!s.collectives) throw std::logic_error("data parallelism without a process group");
  torch::NoGradGuard noGrad;
  switch (e) {
  case Event::FitStart: {
    std::vector<torch::Tensor> state = s.model->stateTensors();
    s.collectives->broadcast(state, 0);
    if (syncBatchNorm_) {
      Collectives* group = s.collectives;
      s.model->setBatchNormOverride(
          [group](const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn) {
            return syncBatchNorm(x, bn, *group);
          });
    }
    if (overlap_) {
      buckets_ = std::make_unique<GradientBuckets>(*s.collectives, bucketBytes_);
      buckets_->attach(s.model->parameters());
    }
    break;
  }
  case Event::BatchStart:
    s.gradientsReduced = false;
    break;
  case Event::BeforeForward:
    // After BATCH_START, where layer freezing changes the trainable set.
    if (buckets_) buckets_->startStep();
    break;
  case Event::AfterBackward: {
    if (s.gradientsReduced) break; // a compression method already combined them
    if (buckets_) {
      buckets_->finish();
      s.gradientsReduced = true;
      break;
    }
    std::vector<torch::Tensor> grads;
    for (torch::Tensor& p : s.model->parameters()) {
      if (!p.requires_grad()) continue;
      // A parameter unused on this rank this step (a dropped residual branch)
      // still takes part, with a zero gradient, so that ranks stay in step.
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      grads.push_back(p.grad());
    }
    s.collectives->allReduceMean(grads);
    s.gradientsReduced = true;
    break;
  }
  case Event::EvalStart: {
    // Batch-norm statistics were gathered on each rank's shard: evaluate
    // everywhere with rank 0's, as PyTorch's DDP does.
    std::vector<torch::Tensor> buffers = buffersOf(s.model);
    s.collectives->broadcast(buffers, 0);
    break;
  }
  default:
    break;
  }
}

} // namespace fiver::runtime::distributed
