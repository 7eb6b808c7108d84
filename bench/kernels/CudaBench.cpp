// The CUDA back end on one GPU, ratios measured in one run:
//
// 1. The chains of 3-6 elementwise ops of FusedElementwiseBench over 1M-64M
//    floats: the same ops run eagerly by LibTorch (one kernel per op), the
//    generated fused kernel (runCudaFused), and a device-to-device copy as
//    the bandwidth ceiling. Bytes counted: 12 per element for the fused
//    kernel (two fp32 reads, one write), 8 for the copy (one read, one
//    write); fused % of copy compares their bandwidths.
// 2. One optimizer step over ResNet-18's parameters (FusedOptimizerBench's
//    shapes, two groups): FusedSgd against torch::optim::SGD (momentum 0.9,
//    nesterov, weight decay 5e-4), FusedAdamW against torch::optim::AdamW.
//
// Every variant is timed as a batch of calls between two device
// synchronizations (after warm-up calls, which also compile the kernels);
// the variants of one row take turns, round after round, and each keeps its
// best round. Outputs are allocated per call, as fused ops do in training.
//
//   fiver_cuda_bench [results.json]
//     without a CUDA device: prints so and exits 0
#include "BenchWorkloads.h"

#include "runtime/kernels/CudaFusedKernel.h"
#include "runtime/kernels/CudaFusedOptimizer.h"
#include "runtime/kernels/EagerEvaluator.h"
#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace fiver::kernels;
using fiver::bench::kChainCount;
using fiver::bench::kChains;
using fiver::bench::kSizes;
using fiver::bench::ResNet18Parameters;
using fiver::runtime::FusedAdamW;
using fiver::runtime::FusedSgd;

namespace {

constexpr int kWarmup = 3;
constexpr int kCalls = 20;
constexpr int kRounds = 5;

using Clock = std::chrono::steady_clock;

// Seconds per call, the best of the batches measured so far.
struct Timer {
  std::function<void()> fn;
  double best = 1e30;
  void warmUp() {
    for (int i = 0; i < kWarmup; ++i)
      fn();
    torch::cuda::synchronize();
  }
  void measure() {
    torch::cuda::synchronize();
    auto start = Clock::now();
    for (int i = 0; i < kCalls; ++i)
      fn();
    torch::cuda::synchronize();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count() / kCalls);
  }
};

void interleave(const std::vector<Timer*>& timers) {
  for (Timer* t : timers)
    t->warmUp();
  for (int r = 0; r < kRounds; ++r)
    for (Timer* t : timers)
      t->measure();
}

struct ChainRow {
  int ops = 0;
  int64_t floats = 0;
  double eagerMs = 0, fusedMs = 0, copyMs = 0;
  double fusedGBps() const { return 12.0 * static_cast<double>(floats) / fusedMs / 1e6; }
  double copyGBps() const { return 8.0 * static_cast<double>(floats) / copyMs / 1e6; }
};

std::vector<ChainRow> elementwise() {
  const torch::Device cuda(torch::kCUDA);
  std::vector<ChainRow> rows;
  std::printf("Elementwise chains, fp32, two inputs (best of %d rounds of %d calls)\n", kRounds,
              kCalls);
  std::printf("%-4s %-9s %10s %10s %10s %12s %11s %10s %12s\n", "ops", "floats", "eager ms",
              "fused ms", "copy ms", "fused/eager", "fused GB/s", "copy GB/s", "fused/copy");
  for (int chain = 0; chain < kChainCount; ++chain)
    for (int64_t n : kSizes) {
      NodePtr e = parseExpr(kChains[chain]);
      torch::manual_seed(chain);
      std::vector<torch::Tensor> in = {torch::randn({n}, cuda), torch::randn({n}, cuda)};
      torch::Tensor copyDst = torch::empty_like(in[0]);
      std::string why;
      Timer eager{[&] { evaluateEager(*e, in, {}); }};
      Timer fused{[&] {
        if (!runCudaFused(*e, in, {}, why))
          throw std::runtime_error(std::string("fused kernel unavailable: ") + why);
      }};
      Timer copy{[&] { copyDst.copy_(in[0]); }};
      interleave({&eager, &fused, &copy});
      ChainRow row{chain + 3, n, eager.best * 1e3, fused.best * 1e3, copy.best * 1e3};
      std::printf("%-4d %-9lld %10.3f %10.3f %10.3f %11.2fx %11.0f %10.0f %11.0f%%\n", row.ops,
                  static_cast<long long>(n), row.eagerMs, row.fusedMs, row.copyMs,
                  row.eagerMs / row.fusedMs, row.fusedGBps(), row.copyGBps(),
                  100.0 * row.fusedGBps() / row.copyGBps());
      std::fflush(stdout);
      rows.push_back(row);
    }
  return rows;
}

struct OptimizerRow {
  std::string step;
  double torchMs = 0, fusedMs = 0;
  int bytesPerFloat = 0;
};

// Each optimizer steps its own copy of the parameters.
template <typename Fused, typename Torch, typename Options>
OptimizerRow compareSteps(const char* name, const Options& options, int bytesPerFloat,
                          int64_t& floats) {
  const torch::Device cuda(torch::kCUDA);
  ResNet18Parameters forTorch(cuda), forFused(cuda);
  floats = forFused.floats;
  Torch reference(forTorch.groups(options), options);
  Fused fused(forFused.groups(options), options);
  Timer torchStep{[&] { reference.step(); }};
  Timer fusedStep{[&] { fused.step(); }};
  interleave({&torchStep, &fusedStep});
  return {name, torchStep.best * 1e3, fusedStep.best * 1e3, bytesPerFloat};
}

std::vector<OptimizerRow> optimizers(int64_t& floats) {
  std::vector<OptimizerRow> rows;
  std::string why;
  if (!cudaFusedOptimizerAvailable(why)) {
    std::printf("\nfused CUDA optimizer unavailable: %s\n", why.c_str());
    return rows;
  }
  // Bytes a step must move at least: SGD-momentum reads param, grad, buffer
  // and writes param, buffer; AdamW reads four tensors and writes three.
  const auto sgd = torch::optim::SGDOptions(1e-4).momentum(0.9).nesterov(true).weight_decay(5e-4);
  const auto adamw = torch::optim::AdamWOptions(1e-5).weight_decay(0.05);
  rows.push_back(compareSteps<FusedSgd, torch::optim::SGD>("SGD", sgd, 20, floats));
  rows.push_back(compareSteps<FusedAdamW, torch::optim::AdamW>("AdamW", adamw, 28, floats));
  std::printf("\nResNet-18 parameters on CUDA: %lld floats (best of %d rounds of %d steps)\n",
              static_cast<long long>(floats), kRounds, kCalls);
  std::printf("%-8s %12s %12s %14s %14s\n", "step", "torch ms", "fused ms", "torch/fused",
              "fused GB/s");
  for (const OptimizerRow& r : rows)
    std::printf("%-8s %12.3f %12.3f %13.2fx %14.0f\n", r.step.c_str(), r.torchMs, r.fusedMs,
                r.torchMs / r.fusedMs,
                static_cast<double>(floats) * r.bytesPerFloat / r.fusedMs / 1e6);
  return rows;
}

void writeJson(const char* path, const std::vector<ChainRow>& chains,
               const std::vector<OptimizerRow>& steps, int64_t floats) {
  std::FILE* f = std::fopen(path, "w");
  if (!f) throw std::runtime_error(std::string("cannot write ") + path);
  std::fprintf(f, "{\n  \"rounds\": %d,\n  \"calls_per_round\": %d,\n  \"elementwise\": [\n",
               kRounds, kCalls);
  for (size_t i = 0; i < chains.size(); ++i) {
    const ChainRow& r = chains[i];
    std::fprintf(f,
                 "    {\"ops\": %d, \"floats\": %lld, \"eager_ms\": %.6f, \"fused_ms\": %.6f, "
                 "\"copy_ms\": %.6f, \"fused_over_eager_speedup\": %.4f, \"fused_gbps\": %.2f, "
                 "\"copy_gbps\": %.2f, \"fused_pct_of_copy\": %.2f}%s\n",
                 r.ops, static_cast<long long>(r.floats), r.eagerMs, r.fusedMs, r.copyMs,
                 r.eagerMs / r.fusedMs, r.fusedGBps(), r.copyGBps(),
                 100.0 * r.fusedGBps() / r.copyGBps(), i + 1 < chains.size() ? "," : "");
  }
  std::fprintf(f, "  ],\n  \"optimizer_floats\": %lld,\n  \"optimizer\": [\n",
               static_cast<long long>(floats));
  for (size_t i = 0; i < steps.size(); ++i) {
    const OptimizerRow& r = steps[i];
    std::fprintf(f,
                 "    {\"step\": \"%s\", \"torch_ms\": %.6f, \"fused_ms\": %.6f, "
                 "\"torch_over_fused\": %.4f}%s\n",
                 r.step.c_str(), r.torchMs, r.fusedMs, r.torchMs / r.fusedMs,
                 i + 1 < steps.size() ? "," : "");
  }
  std::fprintf(f, "  ]\n}\n");
  std::fclose(f);
}

} // namespace

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::printf("fiver_cuda_bench: no CUDA device\n");
    return 0;
  }
  try {
    std::vector<ChainRow> chains = elementwise();
    int64_t floats = 0;
    std::vector<OptimizerRow> steps = optimizers(floats);
    if (argc > 1) {
      writeJson(argv[1], chains, steps, floats);
      std::printf("\nwrote %s\n", argv[1]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fiver_cuda_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
