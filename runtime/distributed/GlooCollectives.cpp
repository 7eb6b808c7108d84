#include "runtime/distributed/GlooCollectives.h"

#include <stdexcept>

#ifdef FIVER_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace fiver::runtime::distributed {

struct GlooCollectives::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

namespace {

// Runs one collective and turns c10d's failures (a peer closed its socket, a
// timeout) into one error that says what probably happened.
void await(const c10::intrusive_ptr<c10d::Work>& work, int rank, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(rank) + ": " + what +
                             " failed (another rank died, hung or timed out): " + e.what());
  }
}

// Consecutive runs of tensors whose bytes stay under the bucket size (a tensor
// larger than a bucket gets a bucket of its own). Same dtype within a bucket.
std::vector<std::vector<size_t>> buckets(const std::vector<torch::Tensor>& tensors,
                                         int64_t bucketBytes) {
  std::vector<std::vector<size_t>> out;
  int64_t bytes = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int64_t b = tensors[i].numel() * static_cast<int64_t>(tensors[i].element_size());
    bool fresh = out.empty() || bytes + b > bucketBytes ||
                 tensors[out.back().front()].scalar_type() != tensors[i].scalar_type();
    if (fresh) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(i);
    bytes += b;
  }
  return out;
}

} // namespace

GlooCollectives::GlooCollectives(const World& world, std::chrono::milliseconds timeout,
                                 int64_t bucketBytes)
    : world_(world), bucketBytes_(bucketBytes), group_(std::make_unique<Group>()) {
  c10d::TCPStoreOptions so;
  so.port = world.masterPort;
  so.isServer = world.rank == 0;
  so.numWorkers = static_cast<size_t>(world.size);
  so.waitWorkers = true;
  so.timeout = timeout;
  try {
    group_->store = c10::make_intrusive<c10d::TCPStore>(world.masterAddr, so);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(
        world.rank == 0 ? "127.0.0.1" : world.masterAddr));
    group_->pg =
        c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, world.rank, world.size, options);
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(world.rank) + ": cannot join the " +
                             std::to_string(world.size) + "-process group at " + world.masterAddr +
                             ":" + std::to_string(world.masterPort) + ": " + e.what());
  }
}

GlooCollectives::~GlooCollectives() = default;

void GlooCollectives::allReduce(std::vector<torch::Tensor>& tensors, bool mean) {
  for (const std::vector<size_t>& bucket : buckets(tensors, bucketBytes_)) {
    std::vector<torch::Tensor> flat;
    for (size_t i : bucket)
      flat.push_back(tensors[i].reshape({-1}));
    std::vector<torch::Tensor> packed{torch::cat(flat)};
    bytesReduced_ += packed[0].numel() * static_cast<int64_t>(packed[0].element_size());
    await(group_->pg->allreduce(packed), world_.rank, "all-reduce");
    if (mean) packed[0].div_(world_.size);
    int64_t offset = 0;
    for (size_t i : bucket) {
      const int64_t n = tensors[i].numel();
      tensors[i].copy_(packed[0].narrow(0, offset, n).view_as(tensors[i]));
      offset += n;
    }
  }
}

void GlooCollectives::allReduceMean(std::vector<torch::Tensor>& tensors) {
  allReduce(tensors, true);
}

void GlooCollectives::allReduceSum(std::vector<torch::Tensor>& tensors) {
  allReduce(tensors, false);
}

namespace {
class GlooPending : public PendingReduction {
public:
  GlooPending(c10::intrusive_ptr<c10d::Work> work, int rank)
      : work_(std::move(work)), rank_(rank) {}
  void wait() override { await(work_, rank_, "all-reduce"); }

private:
  c10::intrusive_ptr<c10d::Work> work_;
  int rank_;
};
} // namespace

std::unique_ptr<PendingReduction> GlooCollectives::startAllReduceSum(torch::Tensor flat) {
  std::vector<torch::Tensor> one{std::move(flat)};
  bytesReduced_ += one[0].numel() * static_cast<int64_t>(one[0].element_size());
  return std::make_unique<GlooPending>(group_->pg->allreduce(one), world_.rank);
}

std::vector<torch::Tensor> GlooCollectives::allGather(const torch::Tensor& t) {
  std::vector<torch::Tensor> input{t.contiguous()};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < world_.size; ++r)
    output[0].push_back(torch::empty_like(input[0]));
  bytesReduced_ += input[0].numel() * static_cast<int64_t>(input[0].element_size());
  await(group_->pg->allgather(output, input), world_.rank, "all-gather");
  return output[0];
}

void GlooCollectives::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  c10d::BroadcastOptions options;
  options.rootRank = root;
  for (torch::Tensor& t : tensors) {
    std::vector<torch::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
    await(group_->pg->broadcast(one, options), world_.rank, "broadcast");
    if (!one[0].is_same(t)) t.copy_(one[0]);
  }
}

} // namespace fiver::runtime::distributed
#else // built without Gloo

namespace fiver::runtime::distributed {

struct GlooCollectives::Group {};

GlooCollectives::GlooCollectives(const World& world, std::chrono::milliseconds, int64_t)
    : world_(world) {
  throw std::runtime_error("this 5rc-exec was built without Gloo (c10d's Gloo headers were not "
                           "found), so it cannot train on several processes");
}
GlooCollectives::~GlooCollectives() = default;
void GlooCollectives::allReduceMean(std::vector<torch::Tensor>&) {}
void GlooCollectives::allReduceSum(std::vector<torch::Tensor>&) {}
std::unique_ptr<PendingReduction> GlooCollectives::startAllReduceSum(torch::Tensor) {
  return nullptr;
}
std::vector<torch::Tensor> GlooCollectives::allGather(const torch::Tensor&) {
  return {};
}
void GlooCollectives::broadcast(std::vector<torch::Tensor>&, int) {}

} // namespace fiver::runtime::distributed
#endif
