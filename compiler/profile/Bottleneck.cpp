#include "compiler/profile/Bottleneck.h"

#include "compiler/sema/Taxonomy.h"

#include <algorithm>
#include <cstdio>

namespace fiver {

namespace {

// Loading and augmenting a batch taking this share of the step makes the
// input pipeline the bottleneck; below it, the model's ops decide.
constexpr double kDataShare = 0.3;
// A step whose tensors take this share of the machine's memory leaves no room
// for a larger batch or model: memory, not time, is what limits the run.
constexpr double kMemoryShare = 0.5;

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
                                    const std::map<std::string, MethodSignature>& stdlib,
                                    InputKind inputs) {
  std::vector<std::string> out;
  // Memory capacity: the methods that lower a step's peak memory.
  if (bottleneck == "memory capacity") {
    for (const auto& [name, m] : stdlib)
      if (std::find(m.effects.begin(), m.effects.end(), "memory") != m.effects.end() &&
          (m.inputs == InputKind::Any || m.inputs == inputs))
        out.push_back(name);
    return out;
  }
  for (const auto& [name, m] : stdlib) {
    if (!reducesTimePerIteration(m)) continue;
    const InputKind needs = m.inputs;
    if (needs != InputKind::Any && needs != inputs) continue;
    const bool fits = std::any_of(m.triples.begin(), m.triples.end(), [&](const Triple& t) {
      const Component c = t.component;
      // The survey (§6.1.4, §6.1.11) hides a slow input pipeline by doing more
      // with each loaded batch (data echoing): retrofit data methods. Retrofits
      // add work per step, so they never help a compute bottleneck.
      if (bottleneck == "data loading")
        return c == Component::TrainingData && t.action == Action::Retrofit;
      // Layouts and precisions shrink what moves through memory.
      if (bottleneck == "memory bandwidth")
        return c == Component::DerivedData && t.action != Action::Remove && !actsOnExchange(m);
      if (bottleneck == "interconnect") return c == Component::DerivedData && actsOnExchange(m);
      // Compute: cut the work of a step, including the gradient computations
      // that remove -> derived data skips (§4.2).
      return ((c == Component::Architecture || c == Component::ModelParameters ||
               c == Component::TrainingData) &&
              t.action != Action::Retrofit) ||
             (c == Component::DerivedData && t.action == Action::Remove);
    });
    if (fits) out.push_back(name);
  }
  return out;
}

BottleneckReport analyzeProfile(const nlohmann::json& profile,
                                const std::map<std::string, MethodSignature>& stdlib,
                                InputKind inputs) {
  BottleneckReport r;
  r.stepSeconds = profile.value("step_seconds", 0.0);
  const nlohmann::json& phases = profile.at("phases");
  for (const auto& [name, seconds] : phases.items())
    r.phaseSum += seconds.get<double>();
  r.medianStepSeconds = profile.value("median_step_seconds", 0.0);
  if (profile.contains("uninstrumented")) {
    const nlohmann::json& plain = profile["uninstrumented"];
    r.uninstrumentedStepSeconds = plain.value("step_seconds", 0.0);
    r.uninstrumentedMedianStepSeconds = plain.value("median_step_seconds", 0.0);
  }
  if (r.uninstrumentedStepSeconds > 0) r.phaseSumRatio = r.phaseSum / r.uninstrumentedStepSeconds;
  if (r.uninstrumentedMedianStepSeconds > 0)
    r.medianRatio = r.medianStepSeconds / r.uninstrumentedMedianStepSeconds;
  r.forward.phaseSeconds = phases.value("forward", 0.0);
  r.backward.phaseSeconds = phases.value("backward", 0.0);
  const double balance = profile.at("roofline").value("balance", 0.0);
  for (const nlohmann::json& op : profile.at("ops")) {
    const double forward = op.value("forward_seconds", 0.0);
    const double backward = op.value("backward_seconds", 0.0);
    r.forward.opsSeconds += forward;
    r.backward.opsSeconds += backward;
    const double intensity = op.value("step_intensity", op.value("intensity", 0.0));
    (intensity >= balance ? r.computeBoundSeconds : r.memoryBoundSeconds) += forward + backward;
  }
  const double data = phases.value("data", 0.0) + phases.value("host_to_device", 0.0);
  const double step = std::max(1e-12, r.phaseSum);
  const bool gpu = profile.value("device", "cpu").rfind("cuda", 0) == 0;
  if (profile.contains("memory")) {
    const nlohmann::json& memory = profile["memory"];
    r.stepPeakBytes = memory.value("step_peak_bytes", 0.0);
    r.activationBytes = memory.value("activation_bytes", 0.0);
    r.machineBytes = memory.value("machine_bytes", 0.0);
  }
  const double memoryShare = r.machineBytes > 0 ? r.stepPeakBytes / r.machineBytes : 0;
  if (memoryShare >= kMemoryShare) {
    r.bottleneck = "memory capacity";
    r.reason = "a step's tensors take " + fixed(100 * memoryShare, 0) +
               "% of the machine's memory (" + fixed(r.activationBytes / 1e6, 0) +
               " MB of it activations kept for the backward pass)";
  } else if (data / step >= kDataShare) {
    r.bottleneck = "data loading";
    r.reason =
        "loading and augmenting batches takes " + fixed(100 * data / step, 0) + "% of the step";
  } else if (r.memoryBoundSeconds > r.computeBoundSeconds) {
    r.bottleneck = "memory bandwidth";
    r.reason = "ops below the machine balance of " + fixed(balance, 1) +
               " FLOP/byte take most of the forward and backward time";
  } else {
    r.bottleneck = gpu ? "GPU compute" : "CPU compute";
    r.reason = "ops above the machine balance of " + fixed(balance, 1) +
               " FLOP/byte (convolutions, matrix products) take most of the forward and "
               "backward time";
  }
  r.methods = methodsFor(r.bottleneck, stdlib, inputs);
  return r;
}

namespace {

std::string attributionLine(const char* pass, const OpAttribution& a, const char* rest) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%s ops %.2f ms of the %s phase %.2f ms (unattributed %.2f ms: %s)\n", pass,
                1e3 * a.opsSeconds, pass, 1e3 * a.phaseSeconds, 1e3 * a.unattributed(), rest);
  return line;
}

// Where host-to-device transfers happen: the whole data set once, before training.
std::string transferNote(const nlohmann::json& profile) {
  if (!profile.contains("host_to_device")) return "";
  const nlohmann::json& t = profile["host_to_device"];
  const std::string megabytes = fixed(t.value("dataset_bytes", 0.0) / 1e6, 1);
  if (t.value("bytes", 0.0) <= 0)
    return "host_to_device: none; the data set (" + megabytes +
           " MB) stays in host memory, where the CPU trains\n";
  return "host_to_device: none per step; the data set (" + megabytes + " MB) is copied to " +
         profile.value("device", "the device") + " once before training (" +
         fixed(1e3 * t.value("seconds", 0.0), 1) + " ms) and batches are gathered there\n";
}

} // namespace

void printProfileReport(std::ostream& out, const nlohmann::json& profile,
                        const BottleneckReport& report) {
  const double step = std::max(1e-12, report.phaseSum);
  const nlohmann::json& roof = profile.at("roofline");
  const int64_t steps = profile.value("steps", int64_t{0});
  out << "profile of " << profile.value("recipe", "?") << ": " << steps << " steps";
  if (profile.contains("warmup_steps"))
    out << " (after " << profile.value("warmup_steps", 0) << " warm-up)";
  if (profile.contains("input_sizes") && !profile["input_sizes"].empty()) {
    out << ", input";
    const char* sep = " ";
    for (const nlohmann::json& size : profile["input_sizes"]) {
      if (!size.is_array() || size.size() != 2) continue;
      out << sep << size.at(0).get<int64_t>() << "x" << size.at(1).get<int64_t>();
      sep = " then ";
    }
  }
  out << ", batch " << profile.value("batch_size", 0) << ", " << profile.value("threads", 0)
      << " threads, device " << profile.value("device", "cpu") << "\n";
  out << "roofline: peak " << fixed(roof.value("peak_flops", 0.0) / 1e9, 1) << " GFLOP/s, "
      << "bandwidth " << fixed(roof.value("bandwidth", 0.0) / 1e9, 1) << " GB/s, balance "
      << fixed(roof.value("balance", 0.0), 1) << " FLOP/byte";
  if (roof.contains("peak_kernel")) out << " (fp32 " << roof.value("peak_kernel", "") << ")";
  if (!roof.value("trusted", true))
    out << "\nroofline NOT cached, measured under load: " << roof.value("untrusted", "");
  out << "\n\n";
  out << "phase            ms/step   share\n";
  // In the order of a step; phases this report does not know come last.
  std::vector<std::string> names = {"data",     "host_to_device", "forward",      "loss",
                                    "backward", "optimizer",      "method_hooks", "other"};
  const nlohmann::json& phases = profile.at("phases");
  std::erase_if(names, [&](const std::string& n) { return !phases.contains(n); });
  for (const auto& [name, seconds] : phases.items())
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  for (const std::string& name : names) {
    const double s = phases.at(name).get<double>();
    char line[128];
    std::snprintf(line, sizeof line, "%-16s %8.2f  %5.1f%%\n", name.c_str(), 1e3 * s,
                  100 * s / step);
    out << line;
  }
  char line[256];
  if (report.uninstrumentedStepSeconds > 0)
    std::snprintf(
        line, sizeof line, "phases sum %.2f ms vs uninstrumented step %.2f ms (ratio %.3f)\n",
        1e3 * report.phaseSum, 1e3 * report.uninstrumentedStepSeconds, report.phaseSumRatio);
  else
    std::snprintf(line, sizeof line, "phases sum %.2f ms; no uninstrumented run to compare\n",
                  1e3 * report.phaseSum);
  out << line;
  if (report.medianRatio > 0) {
    std::snprintf(line, sizeof line,
                  "median step %.2f ms vs uninstrumented median step %.2f ms (ratio %.3f)\n",
                  1e3 * report.medianStepSeconds, 1e3 * report.uninstrumentedMedianStepSeconds,
                  report.medianRatio);
    out << line;
  }
  out << attributionLine("forward", report.forward, "loop and probes");
  out << attributionLine("backward", report.backward, "the loss's gradient, autograd's start");
  out << transferNote(profile);
  if (report.stepPeakBytes > 0)
    out << "memory: CPU tensors peak at " << fixed(report.stepPeakBytes / 1e6, 1)
        << " MB in a step (" << fixed(report.activationBytes / 1e6, 1)
        << " MB of it activations) of the machine's " << fixed(report.machineBytes / 1e9, 1)
        << " GB\n";
  out << "\n";

  std::vector<nlohmann::json> ops(profile.at("ops").begin(), profile.at("ops").end());
  auto opSeconds = [](const nlohmann::json& op) {
    return op.value("forward_seconds", 0.0) + op.value("backward_seconds", 0.0);
  };
  std::stable_sort(ops.begin(), ops.end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
    return opSeconds(a) > opSeconds(b);
  });
  std::snprintf(line, sizeof line, "%-22s %8s %8s %9s %9s %8s %8s %9s  %s\n", "top ops", "fwd ms",
                "bwd ms", "fwd GFLOP", "bwd GFLOP", "fwd MB", "bwd MB", "FLOP/byte", "bound");
  out << line;
  const double balance = roof.value("balance", 0.0);
  for (size_t i = 0; i < std::min<size_t>(ops.size(), 10); ++i) {
    const nlohmann::json& op = ops[i];
    const double intensity = op.value("step_intensity", op.value("intensity", 0.0));
    // Frozen for every profiled step (layer freezing): no backward at all.
    const bool frozen = steps > 0 && op.value("frozen_steps", int64_t{0}) >= steps;
    char backward[32];
    if (frozen)
      std::snprintf(backward, sizeof backward, "%8s", "frozen");
    else
      std::snprintf(backward, sizeof backward, "%8.2f", 1e3 * op.value("backward_seconds", 0.0));
    std::snprintf(line, sizeof line, "%-22s %8.2f %s %9.3f %9.3f %8.2f %8.2f %9.2f  %s\n",
                  (op.value("name", "") + " " + op.value("kind", "")).c_str(),
                  1e3 * op.value("forward_seconds", 0.0), backward,
                  op.value("forward_flops", 0.0) / 1e9, op.value("backward_flops", 0.0) / 1e9,
                  op.value("bytes_moved", 0.0) / 1e6, op.value("backward_bytes_moved", 0.0) / 1e6,
                  intensity, intensity >= balance ? "compute" : "memory");
    out << line;
  }
  out << "\nbottleneck: " << report.bottleneck << " (" << report.reason << ")\n";
  out << "methods that address it:";
  for (const std::string& m : report.methods)
    out << " " << m;
  out << (report.methods.empty() ? " none in the standard library\n" : "\n");
}

nlohmann::json reportJson(const BottleneckReport& report) {
  auto attribution = [](const OpAttribution& a) {
    return nlohmann::json{{"phase_seconds", a.phaseSeconds},
                          {"ops_seconds", a.opsSeconds},
                          {"unattributed_seconds", a.unattributed()}};
  };
  return {{"phase_sum_seconds", report.phaseSum},
          {"uninstrumented_step_seconds", report.uninstrumentedStepSeconds},
          {"ratio", report.phaseSumRatio},
          {"median_step_seconds", report.medianStepSeconds},
          {"uninstrumented_median_step_seconds", report.uninstrumentedMedianStepSeconds},
          {"median_ratio", report.medianRatio},
          {"forward", attribution(report.forward)},
          {"backward", attribution(report.backward)}};
}

} // namespace fiver
