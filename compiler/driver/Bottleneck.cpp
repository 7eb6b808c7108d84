#include "compiler/driver/Bottleneck.h"

#include "compiler/sema/Taxonomy.h"

#include <algorithm>
#include <cstdio>

namespace fiver {

namespace {

// Loading and augmenting a batch taking this share of the step makes the
// input pipeline the bottleneck; below it, the model's ops decide.
constexpr double kDataShare = 0.3;

// Derived-data methods either shrink what moves through memory (layouts,
// precisions) or what data-parallel ranks exchange; their docs say which.
bool actsOnExchange(const MethodSignature& m) {
  return m.decl && (m.decl->doc.find("ranks") != std::string::npos ||
                    m.decl->doc.find("Ranks") != std::string::npos);
}

bool reducesTimePerIteration(const MethodSignature& m) {
  return std::find(m.effects.begin(), m.effects.end(), "T_i") != m.effects.end();
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

} // namespace

std::vector<std::string> methodsFor(const std::string& bottleneck,
                                    const std::map<std::string, MethodSignature>& stdlib) {
  std::vector<std::string> out;
  for (const auto& [name, m] : stdlib) {
    if (!reducesTimePerIteration(m)) continue;
    const std::string_view component = toString(m.triple.component);
    const bool fits = bottleneck == "data loading"
                          ? component == "training_data" && toString(m.triple.action) != "retrofit"
                      : bottleneck == "memory bandwidth"
                          ? component == "derived_data" && !actsOnExchange(m)
                      : bottleneck == "interconnect"
                          ? component == "derived_data" && actsOnExchange(m)
                          : component == "architecture" || component == "model_parameters" ||
                                component == "training_data";
    if (fits) out.push_back(name);
  }
  return out;
}

BottleneckReport analyzeProfile(const nlohmann::json& profile,
                                const std::map<std::string, MethodSignature>& stdlib) {
  BottleneckReport r;
  r.stepSeconds = profile.value("step_seconds", 0.0);
  const nlohmann::json& phases = profile.at("phases");
  for (const auto& [name, seconds] : phases.items())
    r.phaseSum += seconds.get<double>();
  const double balance = profile.at("roofline").value("balance", 0.0);
  for (const nlohmann::json& op : profile.at("ops")) {
    const double t = op.value("forward_seconds", 0.0);
    (op.value("intensity", 0.0) >= balance ? r.computeBoundSeconds : r.memoryBoundSeconds) += t;
  }
  const double data = phases.value("data", 0.0) + phases.value("host_to_device", 0.0);
  const double step = std::max(1e-12, r.stepSeconds);
  const bool gpu = profile.value("device", "cpu").rfind("cuda", 0) == 0;
  if (data / step >= kDataShare) {
    r.bottleneck = "data loading";
    r.reason =
        "loading and augmenting batches takes " + fixed(100 * data / step, 0) + "% of the step";
  } else if (r.memoryBoundSeconds > r.computeBoundSeconds) {
    r.bottleneck = "memory bandwidth";
    r.reason = "ops below the machine balance of " + fixed(balance, 1) +
               " FLOP/byte take most of the forward time";
  } else {
    r.bottleneck = gpu ? "GPU compute" : "CPU compute";
    r.reason = "ops above the machine balance of " + fixed(balance, 1) +
               " FLOP/byte (convolutions, matrix products) take most of the forward time";
  }
  r.methods = methodsFor(r.bottleneck, stdlib);
  return r;
}

void printProfileReport(std::ostream& out, const nlohmann::json& profile,
                        const BottleneckReport& report) {
  const double step = std::max(1e-12, report.stepSeconds);
  const nlohmann::json& roof = profile.at("roofline");
  out << "profile of " << profile.value("recipe", "?") << ": " << profile.value("steps", 0)
      << " steps, batch " << profile.value("batch_size", 0) << ", " << profile.value("threads", 0)
      << " threads, device " << profile.value("device", "cpu") << "\n";
  out << "roofline: peak " << fixed(roof.value("peak_flops", 0.0) / 1e9, 1) << " GFLOP/s, "
      << "bandwidth " << fixed(roof.value("bandwidth", 0.0) / 1e9, 1) << " GB/s, balance "
      << fixed(roof.value("balance", 0.0), 1) << " FLOP/byte\n\n";
  out << "phase            ms/step   share\n";
  for (const auto& [name, seconds] : profile.at("phases").items()) {
    const double s = seconds.get<double>();
    char line[128];
    std::snprintf(line, sizeof line, "%-16s %8.2f  %5.1f%%\n", name.c_str(), 1e3 * s,
                  100 * s / step);
    out << line;
  }
  char line[256];
  std::snprintf(line, sizeof line, "sum of phases %.2f ms, measured step %.2f ms (ratio %.3f)\n\n",
                1e3 * report.phaseSum, 1e3 * report.stepSeconds, report.phaseSum / step);
  out << line;

  std::vector<nlohmann::json> ops(profile.at("ops").begin(), profile.at("ops").end());
  std::sort(ops.begin(), ops.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("forward_seconds", 0.0) > b.value("forward_seconds", 0.0);
  });
  out << "top ops (forward)  ms/step   GFLOP    MB moved  FLOP/byte  bound\n";
  const double balance = roof.value("balance", 0.0);
  for (size_t i = 0; i < std::min<size_t>(ops.size(), 10); ++i) {
    const nlohmann::json& op = ops[i];
    const double intensity = op.value("intensity", 0.0);
    std::snprintf(line, sizeof line, "%-18s %8.2f %7.3f %10.2f %10.2f  %s\n",
                  (op.value("name", "") + " " + op.value("kind", "")).c_str(),
                  1e3 * op.value("forward_seconds", 0.0), op.value("forward_flops", 0.0) / 1e9,
                  op.value("bytes_moved", 0.0) / 1e6, intensity,
                  intensity >= balance ? "compute" : "memory");
    out << line;
  }
  out << "\nbottleneck: " << report.bottleneck << " (" << report.reason << ")\n";
  out << "methods that address it:";
  for (const std::string& m : report.methods)
    out << " " << m;
  out << (report.methods.empty() ? " none in the standard library\n" : "\n");
}

} // namespace fiver
