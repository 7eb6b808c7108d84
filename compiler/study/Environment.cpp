#include "compiler/study/Environment.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#ifndef FIVER_VERSION
#define FIVER_VERSION "unknown"
#endif
#ifndef FIVER_TORCH_VERSION_HEADER
#define FIVER_TORCH_VERSION_HEADER "/usr/include/torch/csrc/api/include/torch/version.h"
#endif

namespace fiver::study {

namespace {
std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "unknown";
}
} // namespace

std::string libtorchVersionFromHeader(const std::string& headerPath) {
  std::ifstream in(headerPath);
  if (!in) return "unknown";
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  auto part = [&](const char* name) {
    std::smatch m;
    std::regex re(std::string("#define ") + name + "\\s+(\\d+)");
    return std::regex_search(s, m, re) ? m[1].str() : std::string("?");
  };
  return part("TORCH_VERSION_MAJOR") + "." + part("TORCH_VERSION_MINOR") + "." +
         part("TORCH_VERSION_PATCH");
}

Environment currentEnvironment(int threads) {
  Environment e;
  e.cpuModel = cpuModelName();
  e.cores = static_cast<int>(std::thread::hardware_concurrency());
  e.threads = threads > 0 ? threads : e.cores;
  e.libtorchVersion = libtorchVersionFromHeader(FIVER_TORCH_VERSION_HEADER);
  e.compilerVersion = __VERSION__;
  e.fiverVersion = FIVER_VERSION;
  return e;
}

nlohmann::json Environment::toJson() const {
  return {{"cpu_model", cpuModel},
          {"cores", cores},
          {"threads", threads},
          {"gpu", "none (CPU training)"},
          {"libtorch_version", libtorchVersion},
          {"compiler_version", compilerVersion},
          {"fiver_version", fiverVersion}};
}

Environment environmentFromJson(const nlohmann::json& j) {
  Environment e;
  e.cpuModel = j.value("cpu_model", "");
  e.cores = j.value("cores", 0);
  e.threads = j.value("threads", 0);
  e.libtorchVersion = j.value("libtorch_version", "");
  e.compilerVersion = j.value("compiler_version", "");
  e.fiverVersion = j.value("fiver_version", "");
  return e;
}

} // namespace fiver::study
