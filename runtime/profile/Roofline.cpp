#include "runtime/profile/Roofline.h"

#include "compiler/support/AtomicFile.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fiver::runtime {

namespace {

// The best of `reps` timings: the machine's capability, not its noise.
template <typename F> double bestSeconds(int reps, F&& f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

std::string cacheFile(int threads) {
  std::filesystem::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    dir = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = std::filesystem::path(home) / ".cache";
  else
    return "";
  return (dir / "fiver" / ("roofline-" + std::to_string(threads) + "-threads.json")).string();
}

} // namespace

Roofline measureRoofline() {
  torch::NoGradGuard noGrad;
  Roofline r;
  const int64_t n = 1024;
  torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n}), c = torch::empty({n, n});
  torch::mm_out(c, a, b); // warm-up
  r.peakFlops = 2.0 * n * n * n / bestSeconds(5, [&] { torch::mm_out(c, a, b); });
  torch::Tensor a16 = a.to(torch::kBFloat16), b16 = b.to(torch::kBFloat16),
                c16 = c.to(torch::kBFloat16);
  torch::mm_out(c16, a16, b16);
  r.peakBf16Flops = 2.0 * n * n * n / bestSeconds(5, [&] { torch::mm_out(c16, a16, b16); });

  const int64_t len = 1 << 24; // 64 MiB per array: well beyond the caches
  torch::Tensor x = torch::rand({len}), y = torch::rand({len}), z = torch::empty({len});
  torch::add_out(z, x, y, 2.0);
  r.bandwidth = 3.0 * 4 * len / bestSeconds(5, [&] { torch::add_out(z, x, y, 2.0); });
  return r;
}

Roofline cachedRoofline(int threads) {
  const std::string path = cacheFile(threads);
  if (!path.empty()) {
    std::ifstream in(path);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded() && j.contains("peak_flops") && j.contains("bandwidth") &&
        j.contains("peak_bf16_flops"))
      return {j["peak_flops"].get<double>(), j["bandwidth"].get<double>(),
              j["peak_bf16_flops"].get<double>()};
  }
  Roofline r = measureRoofline();
  if (!path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    nlohmann::json j = {{"peak_flops", r.peakFlops},
                        {"bandwidth", r.bandwidth},
                        {"peak_bf16_flops", r.peakBf16Flops},
                        {"threads", threads}};
    writeFileAtomically(path, j.dump(2) + "\n"); // a cache: failing to write is fine
  }
  return r;
}

} // namespace fiver::runtime
