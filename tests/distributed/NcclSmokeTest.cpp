// c10d's NCCL process group, built against a CUDA LibTorch, at world size 1
// (NCCL runs no two ranks on one GPU): every collective the data-parallel
// trainer uses (all-reduce, asynchronous all-reduce, all-gather, broadcast)
// on CUDA tensors, results checked. Built only with FIVER_WITH_NCCL=ON where
// LibTorch ships ProcessGroupNCCL.hpp (bench/gpu/run.sh).
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#include <torch/torch.h>

#include <gtest/gtest.h>

namespace {

c10::intrusive_ptr<c10d::ProcessGroupNCCL> singleRankGroup() {
  auto store = c10::make_intrusive<c10d::HashStore>();
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, /*rank=*/0, /*size=*/1,
                                                     c10d::ProcessGroupNCCL::Options::create());
}

TEST(CudaNccl, CollectivesAtWorldSizeOne) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto group = singleRankGroup();
  const auto cuda = torch::TensorOptions(torch::kCUDA);
  // All-reduce (sum): one rank's sum is its own tensor.
  std::vector<torch::Tensor> reduced{torch::arange(1000, cuda.dtype(torch::kFloat32))};
  const torch::Tensor expected = reduced[0].clone();
  group->allreduce(reduced)->wait();
  EXPECT_TRUE(torch::equal(reduced[0], expected));
  // Asynchronous, as gradient buckets are reduced while backward runs.
  std::vector<torch::Tensor> bucket{torch::full({1 << 20}, 0.5, cuda.dtype(torch::kBFloat16))};
  auto work = group->allreduce(bucket);
  work->wait();
  EXPECT_EQ(bucket[0].to(torch::kFloat32).sum().item<double>(), 0.5 * (1 << 20));
  // All-gather: one copy, equal to the input.
  std::vector<torch::Tensor> input{torch::randn({7, 3}, cuda)};
  std::vector<std::vector<torch::Tensor>> gathered{{torch::empty_like(input[0])}};
  group->allgather(gathered, input)->wait();
  EXPECT_TRUE(torch::equal(gathered[0][0], input[0]));
  // Broadcast from rank 0 leaves rank 0's tensor as it is.
  std::vector<torch::Tensor> weights{torch::randn({64, 64}, cuda)};
  const torch::Tensor before = weights[0].clone();
  c10d::BroadcastOptions options;
  options.rootRank = 0;
  group->broadcast(weights, options)->wait();
  EXPECT_TRUE(torch::equal(weights[0], before));
  torch::cuda::synchronize();
}

} // namespace
