#include "runtime/profile/RooflineCache.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace fiver::runtime {

std::string cpuModelOf(const std::string& procCpuinfo) {
  std::istringstream in(procCpuinfo);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(colon + 1);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t\r") + 1);
    return name;
  }
  return "";
}

std::optional<double> loadAverageOf(const std::string& procLoadavg) {
  std::istringstream in(procLoadavg);
  double load = 0;
  if (!(in >> load)) return std::nullopt;
  return load;
}

std::optional<int> otherRunnableOf(const std::string& procLoadavg) {
  // "0.50 0.40 0.30 3/456 12345": the fourth field is runnable/all tasks.
  std::istringstream in(procLoadavg);
  std::string a, b, c, tasks;
  if (!(in >> a >> b >> c >> tasks)) return std::nullopt;
  const size_t slash = tasks.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  char* end = nullptr;
  const long runnable = std::strtol(tasks.c_str(), &end, 10);
  if (end != tasks.c_str() + slash) return std::nullopt;
  return static_cast<int>(std::max(0L, runnable - 1)); // the reader itself runs
}

double medianOtherRunnable(const std::vector<std::string>& procLoadavgReadings) {
  std::vector<int> counts;
  for (const std::string& r : procLoadavgReadings)
    if (std::optional<int> n = otherRunnableOf(r)) counts.push_back(*n);
  if (counts.empty()) return 0;
  std::sort(counts.begin(), counts.end());
  const size_t mid = counts.size() / 2;
  return counts.size() % 2 ? counts[mid] : (counts[mid - 1] + counts[mid]) / 2.0;
}

namespace {

std::string number(double v, int digits = 2) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const KernelPeak* kernelNamed(const Roofline& r, const std::string& kernel,
                              const std::string& dtype) {
  for (const KernelPeak& k : r.kernels)
    if (k.kernel == kernel && k.dtype == dtype) return &k;
  return nullptr;
}

} // namespace

std::string reasonNotToCache(const Roofline& m) {
  if (m.peakFlops <= 0) return "no fp32 kernel could be measured";
  // The measurement needs `threads` cores to itself.
  const double spare = std::max(0, m.cores - m.machine.threads);
  if (m.otherRunnable > spare + 0.5)
    return "the machine was busy: " + number(m.otherRunnable, 1) + " other tasks running on " +
           std::to_string(m.cores) + " cores (load average " + number(m.loadAverage) +
           "), the measurement needs " + std::to_string(m.machine.threads);
  for (const auto& [kernel, dtype] : {std::pair{m.peakKernel, std::string("fp32")},
                                      std::pair{m.peakBf16Kernel, std::string("bf16")}}) {
    const KernelPeak* k = kernelNamed(m, kernel, dtype);
    if (k && k->steadiness < kSteadyRepetitions)
      return "unsteady repetitions of " + dtype + " " + kernel + " (best/median time " +
             number(k->steadiness) + "): something else competed for the cores";
  }
  if (m.bandwidth > 0 && m.bandwidthSteadiness < kSteadyRepetitions)
    return "unsteady repetitions of the memory triad (best/median time " +
           number(m.bandwidthSteadiness) + "): something else competed for the cores";
  return "";
}

nlohmann::json rooflineToJson(const Roofline& r) {
  nlohmann::json kernels = nlohmann::json::array();
  for (const KernelPeak& k : r.kernels)
    kernels.push_back({{"kernel", k.kernel},
                       {"dtype", k.dtype},
                       {"flops", k.flops},
                       {"steadiness", k.steadiness}});
  return {{"peak_flops", r.peakFlops},
          {"peak_kernel", r.peakKernel},
          {"peak_bf16_flops", r.peakBf16Flops},
          {"peak_bf16_kernel", r.peakBf16Kernel},
          {"bandwidth", r.bandwidth},
          {"bandwidth_steadiness", r.bandwidthSteadiness},
          {"balance", r.balance()},
          {"kernels", kernels},
          {"cpu", r.machine.cpu},
          {"threads", r.machine.threads},
          {"torch", r.machine.torch},
          {"blas", r.machine.blas},
          {"measured_at", r.measuredAt},
          {"cores", r.cores},
          {"load_average", r.loadAverage},
          {"other_runnable", r.otherRunnable},
          {"trusted", r.trusted},
          {"untrusted", r.untrusted},
          {"from_cache", r.fromCache}};
}

std::optional<Roofline> cachedRooflineFor(const nlohmann::json& j, const MachineIdentity& now) {
  if (!j.is_object()) return std::nullopt;
  try {
    Roofline r;
    r.machine.cpu = j.at("cpu").get<std::string>();
    r.machine.threads = j.at("threads").get<int>();
    r.machine.torch = j.at("torch").get<std::string>();
    r.machine.blas = j.at("blas").get<std::string>();
    // Only trusted measurements are written; one that says otherwise was
    // not written by this code.
    if (r.machine != now || !j.at("trusted").get<bool>()) return std::nullopt;
    r.peakFlops = j.at("peak_flops").get<double>();
    r.peakKernel = j.at("peak_kernel").get<std::string>();
    r.peakBf16Flops = j.at("peak_bf16_flops").get<double>();
    r.peakBf16Kernel = j.at("peak_bf16_kernel").get<std::string>();
    r.bandwidth = j.at("bandwidth").get<double>();
    r.bandwidthSteadiness = j.value("bandwidth_steadiness", 0.0);
    for (const nlohmann::json& k : j.at("kernels"))
      r.kernels.push_back({k.at("kernel").get<std::string>(), k.at("dtype").get<std::string>(),
                           k.at("flops").get<double>(), k.value("steadiness", 0.0)});
    r.measuredAt = j.at("measured_at").get<std::string>();
    r.cores = j.at("cores").get<int>();
    r.loadAverage = j.at("load_average").get<double>();
    r.otherRunnable = j.value("other_runnable", 0.0);
    r.trusted = true;
    r.fromCache = true;
    if (r.peakFlops <= 0) return std::nullopt;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt; // an older or damaged file: measure again
  }
}

std::string rooflineCacheFile(int threads) {
  std::filesystem::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    dir = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = std::filesystem::path(home) / ".cache";
  else
    return "";
  return (dir / "fiver" / ("roofline-" + std::to_string(threads) + "-threads.json")).string();
}

std::string rooflineProvenanceText(const Roofline& r) {
  std::ostringstream out;
  out << "peak fp32 " << number(r.peakFlops / 1e9, 1) << " GFLOP/s (" << r.peakKernel << ")\n"
      << "peak bf16 " << number(r.peakBf16Flops / 1e9, 1) << " GFLOP/s ("
      << (r.peakBf16Kernel.empty() ? "none" : r.peakBf16Kernel) << ")\n"
      << "bandwidth " << number(r.bandwidth / 1e9, 1) << " GB/s (triad), balance "
      << number(r.balance(), 1) << " FLOP/byte\n";
  for (const KernelPeak& k : r.kernels)
    out << "  " << k.dtype << " " << k.kernel << ": " << number(k.flops / 1e9, 1)
        << " GFLOP/s, repetitions best/median " << number(k.steadiness) << "\n";
  out << "measured " << r.measuredAt << " with " << r.machine.threads << " threads on " << r.cores
      << " cores, load average " << number(r.loadAverage) << ", " << number(r.otherRunnable, 1)
      << " other tasks running\n"
      << "cpu: " << r.machine.cpu << "\n"
      << "torch " << r.machine.torch << ", " << r.machine.blas << "\n";
  if (r.trusted)
    out << (r.fromCache ? "cached: measured on an idle machine\n"
                        : "measured on an idle machine; cached\n");
  else
    out << "NOT cached, MFU against it may read high: " << r.untrusted << "\n";
  return out.str();
}

} // namespace fiver::runtime
