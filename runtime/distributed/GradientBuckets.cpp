#include "runtime/distributed/GradientBuckets.h"

namespace fiver::runtime::distributed {

void GradientBuckets::attach(std::vector<torch::Tensor> parameters) {
  parameters_ = std::move(parameters);
  hookCalls_.assign(parameters_.size(), 0);
  shared_.assign(parameters_.size(), false);
  for (size_t i = 0; i < parameters_.size(); ++i)
    if (parameters_[i].requires_grad())
      parameters_[i].register_hook([this, i](const torch::Tensor& g) { gradientReady(i, g); });
}

void GradientBuckets::rebuild(const std::vector<bool>& trainable) {
  trainable_ = trainable;
  buckets_.clear();
  bucketOf_.assign(parameters_.size(), -1);
  slotOf_.assign(parameters_.size(), -1);
  int64_t bytes = 0;
  for (size_t k = parameters_.size(); k-- > 0;) {
    if (!trainable_[k]) continue;
    const torch::Tensor& p = parameters_[k];
    const int64_t b = p.numel() * static_cast<int64_t>(p.element_size());
    if (buckets_.empty() || bytes + b > bucketBytes_) {
      buckets_.emplace_back();
      bytes = 0;
    }
    Bucket& bucket = buckets_.back();
    bucketOf_[k] = static_cast<int>(buckets_.size() - 1);
    slotOf_[k] = static_cast<int>(bucket.members.size());
    bucket.offsets.push_back(bucket.members.empty()
                                 ? 0
                                 : bucket.offsets.back() +
                                       parameters_[bucket.members.back()].numel());
    bucket.members.push_back(k);
    bytes += b;
  }
  for (Bucket& bucket : buckets_) {
    const int64_t total = bucket.offsets.back() + parameters_[bucket.members.back()].numel();
    bucket.flat = torch::zeros({total}, parameters_[bucket.members.front()].options());
  }
}

void GradientBuckets::startStep() {
  std::vector<bool> trainable(parameters_.size());
  for (size_t i = 0; i < parameters_.size(); ++i)
    trainable[i] = parameters_[i].requires_grad();
  if (trainable != trainable_) rebuild(trainable);
  for (size_t i = 0; i < parameters_.size(); ++i)
    shared_[i] = shared_[i] || hookCalls_[i] > 1;
  std::fill(hookCalls_.begin(), hookCalls_.end(), 0);
  for (Bucket& bucket : buckets_) {
    bucket.seen.assign(bucket.members.size(), false);
    bucket.ready = 0;
    bucket.pending.reset();
    bucket.holdsSharedParameter = false;
    for (size_t k : bucket.members)
      bucket.holdsSharedParameter = bucket.holdsSharedParameter || shared_[k];
  }
  nextToStart_ = 0;
}

void GradientBuckets::gradientReady(size_t parameter, const torch::Tensor& grad) {
  ++hookCalls_[parameter];
  const int b = bucketOf_.empty() ? -1 : bucketOf_[parameter];
  if (b < 0) return;
  Bucket& bucket = buckets_[static_cast<size_t>(b)];
  // Started already: cannot happen for a parameter used twice per step, since
  // startStep() holds back buckets with such parameters (learned in step one).
  if (bucket.pending) return;
  const size_t slot = static_cast<size_t>(slotOf_[parameter]);
  torch::NoGradGuard noGrad;
  torch::Tensor target = bucket.flat.narrow(0, bucket.offsets[slot], grad.numel());
  if (bucket.seen[slot]) {
    target.add_(grad.reshape({-1}));
  } else {
    target.copy_(grad.reshape({-1}));
    bucket.seen[slot] = true;
    ++bucket.ready;
  }
  if (!inFirstStep_) startReadyBuckets(false);
}

void GradientBuckets::startReadyBuckets(bool force) {
  while (nextToStart_ < buckets_.size()) {
    Bucket& bucket = buckets_[nextToStart_];
    const bool full = bucket.ready == bucket.members.size() && !bucket.holdsSharedParameter;
    if (!force && !full) return;
    if (!force) ++overlapped_;
    for (size_t slot = 0; slot < bucket.members.size(); ++slot)
      if (!bucket.seen[slot]) // unused on this rank this step (a dropped branch)
        bucket.flat.narrow(0, bucket.offsets[slot], parameters_[bucket.members[slot]].numel())
            .zero_();
    bucket.pending = collectives_.startAllReduceSum(bucket.flat);
    ++nextToStart_;
  }
}

void GradientBuckets::finish() {
  startReadyBuckets(true);
  torch::NoGradGuard noGrad;
  const double ranks = collectives_.size();
  for (Bucket& bucket : buckets_) {
    bucket.pending->wait();
    bucket.flat.div_(ranks);
    for (size_t slot = 0; slot < bucket.members.size(); ++slot) {
      torch::Tensor& p = parameters_[bucket.members[slot]];
      torch::Tensor averaged =
          bucket.flat.narrow(0, bucket.offsets[slot], p.numel()).view(p.sizes());
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      p.mutable_grad().copy_(averaged);
    }
  }
  inFirstStep_ = false;
}

} // namespace fiver::runtime::distributed
