#include "methods/seq_length_warmup/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fiver::runtime {

int64_t warmupSequenceLength(int64_t fullLength, double from, int64_t rampSteps, int64_t multiple,
                             int64_t step) {
  if (rampSteps <= 0 || step >= rampSteps) return fullLength;
  const double fraction = static_cast<double>(step) / static_cast<double>(rampSteps);
  const double length = from * static_cast<double>(fullLength) +
                        (1.0 - from) * static_cast<double>(fullLength) * fraction;
  const int64_t unit = std::clamp<int64_t>(multiple, 1, fullLength);
  const int64_t rounded = static_cast<int64_t>(std::floor(length)) / unit * unit;
  return std::clamp<int64_t>(rounded, unit, fullLength);
}

void shortenSequences(torch::Tensor& tokens, torch::Tensor& labels, int64_t length, bool truncate) {
  if (tokens.dim() != 2 || labels.sizes() != tokens.sizes())
    throw std::runtime_error("seq_length_warmup needs token batches [B, T] with labels [B, T]");
  const int64_t full = tokens.size(1);
  if (length >= full) return;
  if (truncate) {
    tokens = tokens.narrow(1, 0, length);
    labels = labels.narrow(1, 0, length);
    return;
  }
  // Every whole piece of `length` tokens becomes a row of its own: the batch
  // keeps (nearly) all its tokens in more, shorter sequences.
  const int64_t kept = full / length * length;
  tokens = tokens.narrow(1, 0, kept).reshape({-1, length});
  labels = labels.narrow(1, 0, kept).reshape({-1, length});
}

SeqLengthWarmup::SeqLengthWarmup(const plan::Plan& p, double from, double until, int64_t multiple,
                                 bool truncate)
    : fullLength_(p.task.inputShape.size() == 1 ? p.task.inputShape[0] : 0), from_(from),
      rampSteps_(std::llround(until * static_cast<double>(p.training.totalSteps))),
      multiple_(multiple), truncate_(truncate) {
  if (fullLength_ <= 0)
    throw std::runtime_error("seq_length_warmup needs a task of token sequences (input [T])");
}

void SeqLengthWarmup::apply(Event, TrainState& s) {
  const int64_t length = warmupSequenceLength(fullLength_, from_, rampSteps_, multiple_, s.step);
  shortenSequences(s.images, s.labels, length, truncate_);
}

namespace {
const HookRegistrar kHook("seq_length_warmup", [](const MethodArgs& args) {
  return std::make_unique<SeqLengthWarmup>(args.plan(), args.number("from"), args.number("until"),
                                           args.integer("multiple"), args.flag("truncate"));
});
} // namespace

} // namespace fiver::runtime
