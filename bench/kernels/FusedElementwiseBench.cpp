// Chains of 3-6 elementwise ops over 1M-64M floats: the fused CPU kernel
// against the same ops run eagerly by LibTorch at the same thread count, and
// a STREAM triad (a = b + s*c, same bytes moved as a two-input chain) as the
// bandwidth ceiling. Prints fused/eager speedups and fused/triad bandwidth.
#include "runtime/kernels/CpuFusedKernel.h"
#include "runtime/kernels/EagerEvaluator.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

using namespace fiver::kernels;

namespace {

// Two inputs, one output: the traffic of a triad.
const char* kChains[] = {
    "relu(add(mul(%0,%1),%0))",                           // 3 ops
    "sigmoid(relu(add(mul(%0,%1),%0)))",                  // 4
    "mul(sigmoid(relu(add(mul(%0,%1),%0))),%1)",          // 5
    "add(mul(sigmoid(relu(add(mul(%0,%1),%0))),%1),0.5)", // 6
};

std::vector<torch::Tensor> inputsOf(int64_t n) {
  return {torch::randn({n}), torch::randn({n})};
}

void eager(benchmark::State& state) {
  NodePtr e = parseExpr(kChains[state.range(0)]);
  auto in = inputsOf(state.range(1));
  for (auto _ : state)
    benchmark::DoNotOptimize(evaluateEager(*e, in, {}));
  state.SetBytesProcessed(state.iterations() * state.range(1) * 12);
}

void fused(benchmark::State& state) {
  NodePtr e = parseExpr(kChains[state.range(0)]);
  auto in = inputsOf(state.range(1));
  std::string why;
  if (!runCpuFused(*e, in, {}, why)) {
    state.SkipWithError(why.c_str());
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(runCpuFused(*e, in, {}, why));
  state.SetBytesProcessed(state.iterations() * state.range(1) * 12);
}

void triad(benchmark::State& state) {
  const int64_t n = state.range(1);
  auto in = inputsOf(n);
  const float *b = in[0].data_ptr<float>(), *c = in[1].data_ptr<float>();
  for (auto _ : state) {
    torch::Tensor out = torch::empty({n}); // allocated per call, as the kernels do
    float* a = out.data_ptr<float>();
    at::parallel_for(0, n, 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        a[i] = b[i] + 3.0f * c[i];
    });
    benchmark::DoNotOptimize(a);
  }
  state.SetBytesProcessed(state.iterations() * n * 12);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int chain = 0; chain < 4; ++chain)
    for (int64_t n : {int64_t{1} << 20, int64_t{1} << 24, int64_t{1} << 26})
      b->Args({chain, n});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

class RatioReporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs)
      if (!r.error_occurred) seconds[r.benchmark_name()] = r.GetAdjustedRealTime();
  }
  std::map<std::string, double> seconds;
};

} // namespace

BENCHMARK(eager)->Apply(sizes);
BENCHMARK(fused)->Apply(sizes);
BENCHMARK(triad)->Apply(sizes);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nthreads: %d\n%-6s %-10s %14s %18s\n", at::get_num_threads(), "ops", "floats",
              "fused/eager", "fused/triad bw");
  for (int chain = 0; chain < 4; ++chain)
    for (int64_t n : {int64_t{1} << 20, int64_t{1} << 24, int64_t{1} << 26}) {
      std::string args = "/" + std::to_string(chain) + "/" + std::to_string(n) + "/real_time";
      auto& s = reporter.seconds;
      if (!s.count("fused" + args) || !s.count("eager" + args) || !s.count("triad" + args))
        continue;
      std::printf("%-6d %-10lld %13.2fx %17.0f%%\n", chain + 3, static_cast<long long>(n),
                  s["eager" + args] / s["fused" + args],
                  100.0 * s["triad" + args] / s["fused" + args]);
    }
  benchmark::Shutdown();
  return 0;
}
