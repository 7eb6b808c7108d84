// Chains of 3-6 elementwise ops over 1M-64M floats: the fused CPU kernel
// against the same ops run eagerly by LibTorch, and against a STREAM triad
// (a = b + s*c) as the bandwidth ceiling, all at one thread count and split
// over the intra-op pool with the fused kernel's grain.
//
// Bytes counted: 12 per element for every variant, the STREAM convention of
// two fp32 reads and one fp32 write. Every chain reads two inputs and writes
// one output, exactly the triad's traffic, so fused % of triad bandwidth is
// the triad's time over the fused kernel's. Write-allocate reads and the
// page faults of a fresh output are not counted as bytes: both sides pay them
// alike in each variant. Eager's intermediates are not counted either (its
// "bandwidth" is the useful traffic only).
//
// Allocation policies, reported for both the fused kernel and the triad:
//   allocating:    a new output tensor per call, as fused ops do in training
//                  (under 5rc-exec's host memory policy, runtime/HostMemory.h,
//                  which this binary applies to every variant alike);
//   preallocated:  one output reused across calls (no allocation, no faults).
//
// The ratio table times the variants of one chain and size in turns, round
// after round, and keeps each one's best round, so that other load on the
// machine hits all variants alike.
//
//   fiver_kernels_bench [--benchmark_filter=...]
//     threads: $FIVER_BENCH_THREADS or every core; rounds: $FIVER_BENCH_ROUNDS (7)
//     with --benchmark_* flags, Google Benchmark's per-variant runs come first
#include "BenchWorkloads.h"
#include "TriadKernel.h"
#include "runtime/HostMemory.h"

#include "runtime/kernels/CpuFusedKernel.h"
#include "runtime/kernels/EagerEvaluator.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

using namespace fiver::kernels;
using fiver::bench::kChainCount;
using fiver::bench::kChains;
using fiver::bench::kSizes;

namespace {

constexpr int64_t kBytesPerElement = 12;

std::vector<torch::Tensor> inputsOf(int64_t n) {
  return {torch::randn({n}), torch::randn({n})};
}

void eager(benchmark::State& state) {
  NodePtr e = parseExpr(kChains[state.range(0)]);
  auto in = inputsOf(state.range(1));
  for (auto _ : state)
    benchmark::DoNotOptimize(evaluateEager(*e, in, {}));
  state.SetBytesProcessed(state.iterations() * state.range(1) * kBytesPerElement);
}

void fused(benchmark::State& state, bool preallocated) {
  NodePtr e = parseExpr(kChains[state.range(0)]);
  auto in = inputsOf(state.range(1));
  torch::Tensor out = preallocated ? torch::empty_like(in[0]) : torch::Tensor();
  std::string why;
  if (!runCpuFused(*e, in, {}, why, out)) { // also compiles, outside the timing
    state.SkipWithError(why.c_str());
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(runCpuFused(*e, in, {}, why, out));
  state.SetBytesProcessed(state.iterations() * state.range(1) * kBytesPerElement);
}

void triad(benchmark::State& state, bool preallocated) {
  const int64_t n = state.range(1);
  auto in = inputsOf(n);
  const float *b = in[0].data_ptr<float>(), *c = in[1].data_ptr<float>();
  torch::Tensor reused = torch::empty({n});
  for (auto _ : state) {
    torch::Tensor out = preallocated ? reused : torch::empty({n});
    float* a = out.data_ptr<float>();
    at::parallel_for(0, n, kCpuFusedGrain,
                     [&](int64_t begin, int64_t end) { triadRange(a, b, c, 3.0f, begin, end); });
    benchmark::DoNotOptimize(a);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * kBytesPerElement);
}

void fusedAllocating(benchmark::State& s) {
  fused(s, false);
}
void fusedPreallocated(benchmark::State& s) {
  fused(s, true);
}
void triadAllocating(benchmark::State& s) {
  triad(s, false);
}
void triadPreallocated(benchmark::State& s) {
  triad(s, true);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int chain = 0; chain < kChainCount; ++chain)
    for (int64_t n : kSizes)
      b->Args({chain, n});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

using Clock = std::chrono::steady_clock;

// Seconds per call of `fn`, the best of `rounds` timed batches; each batch
// repeats the call often enough to last about 20 ms.
struct Timer {
  std::function<void()> fn;
  int64_t repeats = 1;
  double best = 1e30;
  void calibrate() {
    auto start = Clock::now();
    fn();
    double once = std::chrono::duration<double>(Clock::now() - start).count();
    repeats = std::max<int64_t>(1, static_cast<int64_t>(0.02 / std::max(once, 1e-7)));
  }
  void measure() {
    auto start = Clock::now();
    for (int64_t i = 0; i < repeats; ++i)
      fn();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count() /
                              static_cast<double>(repeats));
  }
};

// The ratio table: the five variants of one chain and size take turns, round
// after round, so that load from other processes and frequency drift hit all
// alike; each keeps its best round.
void ratioTable(int rounds) {
  std::printf("threads: %d; best of %d interleaved rounds; 12 bytes per element (2 reads, "
              "1 write)\n",
              at::get_num_threads(), rounds);
  std::printf("%-4s %-9s %11s | %-31s | %-31s\n", "", "", "", "allocating output (GB/s)",
              "preallocated output (GB/s)");
  std::printf("%-4s %-9s %11s | %8s %8s %12s | %8s %8s %12s\n", "ops", "floats", "fused/eager",
              "fused", "triad", "fused/triad", "fused", "triad", "fused/triad");
  for (int chain = 0; chain < kChainCount; ++chain)
    for (int64_t n : kSizes) {
      NodePtr e = parseExpr(kChains[chain]);
      auto in = inputsOf(n);
      const float *b = in[0].data_ptr<float>(), *c = in[1].data_ptr<float>();
      torch::Tensor fusedOut = torch::empty_like(in[0]), triadOut = torch::empty_like(in[0]);
      std::string why;
      auto fusedInto = [&](torch::Tensor out) {
        if (!runCpuFused(*e, in, {}, why, out)) throw std::runtime_error(why);
      };
      auto triadInto = [&](torch::Tensor out) {
        float* a = out.data_ptr<float>();
        at::parallel_for(0, n, kCpuFusedGrain, [&](int64_t begin, int64_t end) {
          triadRange(a, b, c, 3.0f, begin, end);
        });
      };
      Timer eagerT{[&] { evaluateEager(*e, in, {}); }};
      Timer fusedAlloc{[&] { fusedInto(torch::Tensor()); }};
      Timer fusedPre{[&] { fusedInto(fusedOut); }};
      Timer triadAlloc{[&] { triadInto(torch::empty({n})); }};
      Timer triadPre{[&] { triadInto(triadOut); }};
      Timer* timers[] = {&eagerT, &fusedAlloc, &fusedPre, &triadAlloc, &triadPre};
      for (Timer* t : timers)
        t->calibrate(); // the first fused call also compiles (or loads) the kernel
      for (int r = 0; r < rounds; ++r)
        for (Timer* t : timers)
          t->measure();
      auto gbps = [&](const Timer& t) {
        return static_cast<double>(n * kBytesPerElement) / t.best / 1e9;
      };
      std::printf("%-4d %-9lld %10.2fx | %8.1f %8.1f %11.0f%% | %8.1f %8.1f %11.0f%%\n", chain + 3,
                  static_cast<long long>(n), eagerT.best / fusedAlloc.best, gbps(fusedAlloc),
                  gbps(triadAlloc), 100.0 * triadAlloc.best / fusedAlloc.best, gbps(fusedPre),
                  gbps(triadPre), 100.0 * triadPre.best / fusedPre.best);
      std::fflush(stdout);
    }
}

} // namespace

BENCHMARK(eager)->Apply(sizes);
BENCHMARK(fusedAllocating)->Apply(sizes);
BENCHMARK(fusedPreallocated)->Apply(sizes);
BENCHMARK(triadAllocating)->Apply(sizes);
BENCHMARK(triadPreallocated)->Apply(sizes);

int main(int argc, char** argv) {
  fiver::runtime::keepFreedHostMemory();
  const char* threads = std::getenv("FIVER_BENCH_THREADS");
  at::set_num_threads(threads && *threads ? std::atoi(threads)
                                          : static_cast<int>(std::thread::hardware_concurrency()));
  const char* rounds = std::getenv("FIVER_BENCH_ROUNDS");
  // Google Benchmark's per-variant figures only when asked for: it runs the
  // variants one after another, so its numbers are not comparable under load.
  bool google = false;
  for (int i = 1; i < argc; ++i)
    google = google || std::string(argv[i]).rfind("--benchmark", 0) == 0;
  if (google) {
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  }
  ratioTable(rounds && *rounds ? std::atoi(rounds) : 7);
  return 0;
}
