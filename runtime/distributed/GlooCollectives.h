// Collectives over a c10d process group with the Gloo backend (CPU tensors),
// after a rendezvous through a c10d TCPStore hosted by rank 0.
#pragma once

#include "runtime/distributed/World.h"
#include "runtime/train/Collectives.h"

#include <chrono>
#include <memory>

namespace fiver::runtime::distributed {

class GlooCollectives : public Collectives {
public:
  // Blocks until every rank has joined or `timeout` passes (then throws). The
  // same timeout bounds every collective: a rank that dies or hangs makes the
  // others fail within it instead of waiting forever.
  GlooCollectives(const World& world, std::chrono::milliseconds timeout,
                  int64_t bucketBytes = 25 << 20);
  ~GlooCollectives() override;

  int rank() const override { return world_.rank; }
  int size() const override { return world_.size; }
  void allReduceMean(std::vector<torch::Tensor>& tensors) override;
  void allReduceSum(std::vector<torch::Tensor>& tensors) override;
  std::unique_ptr<PendingReduction> startAllReduceSum(torch::Tensor flat) override;
  std::vector<torch::Tensor> allGather(const torch::Tensor& t) override;
  void broadcast(std::vector<torch::Tensor>& tensors, int root) override;
  int64_t bytesReduced() const override { return bytesReduced_; }

private:
  void allReduce(std::vector<torch::Tensor>& tensors, bool mean);
  World world_;
  int64_t bucketBytes_;
  int64_t bytesReduced_ = 0;
  struct Group;
  std::unique_ptr<Group> group_;
};

} // namespace fiver::runtime::distributed
