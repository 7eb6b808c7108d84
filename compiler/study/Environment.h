// The hardware and software a study ran on. Times measured in different
// environments are not comparable, so a study folder holds one environment.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace fiver::study {

struct Environment {
  std::string cpuModel;
  int cores = 0;
  int threads = 0; // intra-op threads the runs use
  std::string libtorchVersion;
  std::string compilerVersion;
  std::string fiverVersion;

  nlohmann::json toJson() const;
  bool operator==(const Environment&) const = default;
};

// This machine's environment with `threads` intra-op threads (0: all cores).
Environment currentEnvironment(int threads);
Environment environmentFromJson(const nlohmann::json& j);

// "1.13.0" from LibTorch's version header; "unknown" when it is not installed.
std::string libtorchVersionFromHeader(const std::string& headerPath);

} // namespace fiver::study
