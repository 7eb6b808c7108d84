// When a measured roofline may be cached, and whether a cached one still
// describes this machine. Torch-free and fed with the text of /proc files,
// so that tests can give it any load and any CPU.
#pragma once

#include "runtime/profile/Roofline.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace fiver::runtime {

// Repetitions steadier than this (best time / median time) show nothing else
// competed for the cores while a kernel ran.
constexpr double kSteadyRepetitions = 0.85;

// The first "model name" in /proc/cpuinfo ("" when none).
std::string cpuModelOf(const std::string& procCpuinfo);
// The 1-minute load average in /proc/loadavg.
std::optional<double> loadAverageOf(const std::string& procLoadavg);
// Tasks runnable at the moment /proc/loadavg was read, the reader excluded.
std::optional<int> otherRunnableOf(const std::string& procLoadavg);
// The median of otherRunnableOf over several readings (0 when none parse).
double medianOtherRunnable(const std::vector<std::string>& procLoadavgReadings);

// Why a measurement must not be cached, or "" when it may: other tasks held
// cores the measurement needed, or its repetitions were unsteady.
std::string reasonNotToCache(const Roofline& measured);

nlohmann::json rooflineToJson(const Roofline& r);
// The cached roofline when `j` is one (a file older than provenance is not)
// measured on `now`; none when it must be measured again.
std::optional<Roofline> cachedRooflineFor(const nlohmann::json& j, const MachineIdentity& now);

// The file holding the cached roofline for `threads` ("" without a cache
// folder): $XDG_CACHE_HOME/fiver or ~/.cache/fiver.
std::string rooflineCacheFile(int threads);

// Several lines: the peaks, their kernels, and the provenance.
std::string rooflineProvenanceText(const Roofline& r);

} // namespace fiver::runtime
