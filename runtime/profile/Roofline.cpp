#include "runtime/profile/Roofline.h"

#include "compiler/support/AtomicFile.h"
#include "runtime/BlasCoreType.h"
#include "runtime/profile/RooflineCache.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace fiver::runtime {

namespace {

std::string fileText(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct Timing {
  double best = 0, steadiness = 0; // seconds; best / median
};

// Repetitions after a warm-up; a kernel whose warm-up takes over a second
// (a slow fallback path) is timed by that one run.
template <typename F> Timing timeKernel(int reps, F&& f) {
  auto once = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double warm = once();
  if (warm > 1.0) return {warm, 1.0};
  std::vector<double> times;
  for (int r = 0; r < reps; ++r)
    times.push_back(once());
  std::sort(times.begin(), times.end());
  return {times.front(), times.front() / times[times.size() / 2]};
}

// A matrix product and a channels-last 3x3 convolution (oneDNN in this
// LibTorch), the fastest kernels training uses, in `dtype`.
void measureKernels(Roofline& r, torch::ScalarType dtype, const std::string& name) {
  const int reps = 7;
  try {
    const int64_t n = 1024;
    torch::Tensor a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype),
                  c = torch::empty({n, n}, dtype);
    const Timing t = timeKernel(reps, [&] { torch::mm_out(c, a, b); });
    r.kernels.push_back({"matmul 1024x1024x1024", name, 2.0 * n * n * n / t.best, t.steadiness});
  } catch (const c10::Error&) { // no such kernel for this dtype
  }
  try {
    const int64_t batch = 32, channels = 128, size = 28;
    torch::Tensor x = torch::randn({batch, channels, size, size})
                          .to(dtype)
                          .contiguous(torch::MemoryFormat::ChannelsLast);
    torch::Tensor w = torch::randn({channels, channels, 3, 3})
                          .to(dtype)
                          .contiguous(torch::MemoryFormat::ChannelsLast);
    const Timing t = timeKernel(reps, [&] { torch::conv2d(x, w, {}, 1, 1); });
    const double flops = 2.0 * batch * channels * size * size * channels * 9;
    r.kernels.push_back({"conv3x3 channels-last 32x128x28x28", name, flops / t.best, t.steadiness});
  } catch (const c10::Error&) {
  }
}

} // namespace

MachineIdentity currentMachine(int threads) {
  return {cpuModelOf(fileText("/proc/cpuinfo")), threads, TORCH_VERSION, openBlasDescription()};
}

Roofline measureRoofline(int threads) {
  torch::NoGradGuard noGrad;
  const int before = torch::get_num_threads();
  torch::set_num_threads(threads);
  Roofline r;
  r.machine = currentMachine(threads);
  r.measuredAt = utcNow();
  r.cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  // Who else runs right now: runnable tasks at a few instants (the 1-minute
  // average lags by a minute), and the average, for the record.
  std::vector<std::string> readings;
  for (int i = 0; i < 5; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(40));
    readings.push_back(fileText("/proc/loadavg"));
  }
  r.loadAverage = loadAverageOf(readings.front()).value_or(0);
  r.otherRunnable = medianOtherRunnable(readings);

  measureKernels(r, torch::kFloat32, "fp32");
  measureKernels(r, torch::kBFloat16, "bf16");
  for (const KernelPeak& k : r.kernels) {
    double& peak = k.dtype == "bf16" ? r.peakBf16Flops : r.peakFlops;
    std::string& kernel = k.dtype == "bf16" ? r.peakBf16Kernel : r.peakKernel;
    if (k.flops > peak) {
      peak = k.flops;
      kernel = k.kernel;
    }
  }

  const int64_t len = 1 << 24; // 64 MiB per array: well beyond the caches
  torch::Tensor x = torch::rand({len}), y = torch::rand({len}), z = torch::empty({len});
  const Timing triad = timeKernel(5, [&] { torch::add_out(z, x, y, 2.0); });
  r.bandwidth = 3.0 * 4 * len / triad.best;
  r.bandwidthSteadiness = triad.steadiness;

  r.untrusted = reasonNotToCache(r);
  r.trusted = r.untrusted.empty();
  torch::set_num_threads(before);
  return r;
}

Roofline cachedRoofline(int threads, bool remeasure) {
  const std::string path = rooflineCacheFile(threads);
  if (!path.empty() && !remeasure) {
    std::ifstream in(path);
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (std::optional<Roofline> cached = cachedRooflineFor(j, currentMachine(threads)))
      return *cached;
  }
  Roofline r = measureRoofline(threads);
  // Only the machine's own peak is kept: one measured under load would
  // inflate every later run's MFU.
  if (!path.empty() && r.trusted) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    writeFileAtomically(path, rooflineToJson(r).dump(2) + "\n"); // a cache: failing is fine
  }
  return r;
}

} // namespace fiver::runtime
