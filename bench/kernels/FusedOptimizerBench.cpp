// One optimizer step over ResNet-18's parameters (62 tensors, 11.7M floats,
// split into a decaying and a non-decaying group as makeOptimizer does):
// the fused multi-tensor kernels (FusedSgd, FusedAdamW) against
// torch::optim's SGD and AdamW at the same thread count (1 and 2). Prints
// torch/fused time ratios and the fused step's share of memory bandwidth.
#include "BenchWorkloads.h"
#include "runtime/HostMemory.h"

#include "runtime/optim/FusedAdamW.h"
#include "runtime/optim/FusedSgd.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

using namespace fiver::runtime;

namespace {

const fiver::bench::ResNet18Parameters& model() {
  static fiver::bench::ResNet18Parameters m;
  return m;
}

// Bytes a step must move at least: SGD-momentum reads param, grad, buffer
// and writes param, buffer; AdamW reads four tensors and writes three.
template <typename Opt, typename Options>
void step(benchmark::State& state, Options options, int bytesPerFloat) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  Opt opt(model().groups(options), options);
  opt.step(); // creates state and compiles the kernel
  for (auto _ : state)
    opt.step();
  state.SetBytesProcessed(state.iterations() * model().floats * bytesPerFloat);
}

const auto kSgd = torch::optim::SGDOptions(1e-4).momentum(0.9).nesterov(true).weight_decay(5e-4);
const auto kAdamW = torch::optim::AdamWOptions(1e-5).weight_decay(0.05);

void torchSgd(benchmark::State& s) {
  step<torch::optim::SGD>(s, kSgd, 20);
}
void fusedSgd(benchmark::State& s) {
  step<FusedSgd>(s, kSgd, 20);
}
void torchAdamW(benchmark::State& s) {
  step<torch::optim::AdamW>(s, kAdamW, 28);
}
void fusedAdamW(benchmark::State& s) {
  step<FusedAdamW>(s, kAdamW, 28);
}

void threads(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
}

class RatioReporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs)
      if (!r.error_occurred) {
        seconds[r.benchmark_name()] = r.GetAdjustedRealTime();
        auto bw = r.counters.find("bytes_per_second");
        if (bw != r.counters.end()) bandwidth[r.benchmark_name()] = bw->second;
      }
  }
  std::map<std::string, double> seconds, bandwidth;
};

} // namespace

BENCHMARK(torchSgd)->Apply(threads);
BENCHMARK(fusedSgd)->Apply(threads);
BENCHMARK(torchAdamW)->Apply(threads);
BENCHMARK(fusedAdamW)->Apply(threads);

int main(int argc, char** argv) {
  fiver::runtime::keepFreedHostMemory();
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nResNet-18 parameters: %zu tensors, %lld floats\n",
              model().decay.size() + model().noDecay.size(),
              static_cast<long long>(model().floats));
  std::printf("%-8s %-8s %12s %12s %14s %14s\n", "step", "threads", "torch ms", "fused ms",
              "torch/fused", "fused GB/s");
  for (const char* name : {"Sgd", "AdamW"})
    for (int t : {1, 2}) {
      const std::string args = "/" + std::to_string(t) + "/real_time";
      const std::string torchName = std::string("torch") + name + args;
      const std::string fusedName = std::string("fused") + name + args;
      auto& s = reporter.seconds;
      if (!s.count(torchName) || !s.count(fusedName)) continue;
      std::printf("%-8s %-8d %12.2f %12.2f %13.2fx %14.1f\n", name, t, s[torchName], s[fusedName],
                  s[torchName] / s[fusedName], reporter.bandwidth[fusedName] / 1e9);
    }
  benchmark::Shutdown();
  return 0;
}
