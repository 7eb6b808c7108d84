// What the training loop needs from a group of processes that train one model
// together. The loop and the methods see only this interface; the c10d/Gloo
// implementation lives in runtime/distributed. A single process has none.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace fiver::runtime {

// An all-reduce under way; wait() returns once its tensor holds the result.
class PendingReduction {
public:
  virtual ~PendingReduction() = default;
  virtual void wait() = 0;
};

class Collectives {
public:
  virtual ~Collectives() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Averages every tensor across ranks, in place. Tensors are packed into
  // buckets so that many small gradients cost few messages.
  virtual void allReduceMean(std::vector<torch::Tensor>& tensors) = 0;
  // Sums every tensor across ranks, in place (compressed gradients).
  virtual void allReduceSum(std::vector<torch::Tensor>& tensors) = 0;
  // Starts summing one contiguous tensor across ranks in the background (the
  // backward pass goes on meanwhile); the caller keeps `flat` alive until wait().
  virtual std::unique_ptr<PendingReduction> startAllReduceSum(torch::Tensor flat) = 0;
  // Every rank's copy of `t` (same shape and dtype on all ranks), by rank.
  virtual std::vector<torch::Tensor> allGather(const torch::Tensor& t) = 0;
  // Copies rank `root`'s tensors into every rank's, in place.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
  // Bytes this rank has put into all-reduces and all-gathers so far (payload,
  // not protocol).
  virtual int64_t bytesReduced() const = 0;

  // The mean of a number across ranks.
  double mean(double value) {
    std::vector<torch::Tensor> t{torch::tensor({value}, torch::kFloat64)};
    allReduceMean(t);
    return t[0].item<double>();
  }
};

} // namespace fiver::runtime
