// The bottleneck named from synthetic profiles, and the methods offered for it
// read from method declarations.
#include "compiler/profile/Bottleneck.h"

#include <gtest/gtest.h>

#include <sstream>

namespace fiver {
namespace {

MethodSignature method(const std::string& name, Action a, Component c, std::string effect,
                       InputKind inputs = InputKind::Any) {
  MethodSignature m;
  m.name = name;
  m.triple = {a, c, Timing::Static, Information::Domain};
  m.triples = {m.triple};
  m.effects = {std::move(effect)};
  m.inputs = inputs;
  return m;
}

std::map<std::string, MethodSignature> stdlib() {
  return {
      {"data_echoing", method("data_echoing", Action::Retrofit, Component::TrainingData, "T_i")},
      {"colout",
       method("colout", Action::Remove, Component::TrainingData, "T_i", InputKind::Images)},
      {"selective_backprop",
       method("selective_backprop", Action::Remove, Component::DerivedData, "T_i")},
      // Pruning with dense kernels makes a smaller model, not a faster step.
      {"gradual_magnitude_pruning", method("gradual_magnitude_pruning", Action::Remove,
                                           Component::ModelParameters, "model_size")},
      {"channels_last",
       method("channels_last", Action::Reorder, Component::DerivedData, "T_i", InputKind::Images)},
      {"layer_freezing",
       method("layer_freezing", Action::Reorder, Component::ModelParameters, "T_i")},
      {"label_smoothing",
       method("label_smoothing", Action::Replace, Component::TrainingObjective, "n_iteration")},
      {"activation_checkpointing",
       method("activation_checkpointing", Action::Remove, Component::DerivedData, "memory")},
      {"memory_efficient_attention", method("memory_efficient_attention", Action::Remove,
                                            Component::DerivedData, "memory", InputKind::Tokens)}};
}

nlohmann::json profile(double data, double forward, double convIntensity, double convSeconds,
                       double reluSeconds, double reluBackward = 0) {
  return {{"recipe", "r"},
          {"device", "cpu"},
          {"steps", 4},
          {"step_seconds", data + forward + 0.01},
          {"phases", {{"data", data}, {"forward", forward}, {"backward", 0.0}, {"other", 0.01}}},
          {"median_step_seconds", 0.5},
          {"uninstrumented",
           {{"steps", 4},
            {"step_seconds", 0.8 * (data + forward + 0.01)},
            {"median_step_seconds", 0.4}}},
          {"roofline", {{"peak_flops", 1e11}, {"bandwidth", 1e10}, {"balance", 10.0}}},
          {"ops",
           {{{"name", "conv1"},
             {"kind", "conv"},
             {"forward_seconds", convSeconds},
             {"backward_seconds", 0.0},
             {"frozen_steps", 4},
             {"step_intensity", convIntensity}},
            {{"name", "relu1"},
             {"kind", "relu"},
             {"forward_seconds", reluSeconds},
             {"backward_seconds", reluBackward},
             {"frozen_steps", 0},
             {"step_intensity", 0.1}}}}};
}

TEST(BottleneckTest, SlowLoadingIsTheDataPipeline) {
  BottleneckReport r = analyzeProfile(profile(0.5, 0.1, 50, 0.08, 0.02), stdlib());
  EXPECT_EQ(r.bottleneck, "data loading");
  EXPECT_EQ(r.methods, std::vector<std::string>{"data_echoing"});
  EXPECT_NEAR(r.phaseSum, r.stepSeconds, 1e-12);
}

TEST(BottleneckTest, DenseOpsAboveTheBalanceAreCompute) {
  BottleneckReport r = analyzeProfile(profile(0.01, 0.5, 50, 0.4, 0.1), stdlib());
  EXPECT_EQ(r.bottleneck, "CPU compute");
  EXPECT_DOUBLE_EQ(r.computeBoundSeconds, 0.4);
  EXPECT_DOUBLE_EQ(r.memoryBoundSeconds, 0.1);
  // Methods that cut the work of a step; never a retrofit, which adds work,
  // nor pruning, which dense kernels do not turn into time.
  EXPECT_EQ(r.methods,
            (std::vector<std::string>{"colout", "layer_freezing", "selective_backprop"}));
}

nlohmann::json withMemory(nlohmann::json p, double peakBytes, double machineBytes) {
  p["memory"] = {{"step_peak_bytes", peakBytes},
                 {"resting_bytes", peakBytes / 4},
                 {"activation_bytes", 3 * peakBytes / 4},
                 {"machine_bytes", machineBytes}};
  return p;
}

TEST(BottleneckTest, AStepFillingMostOfTheMemoryIsMemoryCapacity) {
  const nlohmann::json p = withMemory(profile(0.5, 0.1, 50, 0.08, 0.02), 6e9, 8e9);
  BottleneckReport r = analyzeProfile(p, stdlib());
  EXPECT_EQ(r.bottleneck, "memory capacity");
  EXPECT_EQ(r.methods, std::vector<std::string>{"activation_checkpointing"});
  EXPECT_EQ(analyzeProfile(p, stdlib(), InputKind::Tokens).methods,
            (std::vector<std::string>{"activation_checkpointing", "memory_efficient_attention"}));
  std::ostringstream text;
  printProfileReport(text, p, r);
  EXPECT_NE(text.str().find("memory: CPU tensors peak at 6000.0 MB in a step (4500.0 MB of it "
                            "activations) of the machine's 8.0 GB"),
            std::string::npos)
      << text.str();
}

TEST(BottleneckTest, AStepWithRoomToSpareIsJudgedByItsTime) {
  BottleneckReport r =
      analyzeProfile(withMemory(profile(0.5, 0.1, 50, 0.08, 0.02), 1e9, 8e9), stdlib());
  EXPECT_EQ(r.bottleneck, "data loading");
  EXPECT_DOUBLE_EQ(r.stepPeakBytes, 1e9);
}

TEST(BottleneckTest, TextTasksAreOfferedNoImageMethods) {
  // channels_last re-lays out images: a memory-bound text model gets nothing.
  BottleneckReport r = analyzeProfile(profile(0.01, 0.5, 2, 0.3, 0.2), stdlib(), InputKind::Tokens);
  EXPECT_EQ(r.bottleneck, "memory bandwidth");
  EXPECT_TRUE(r.methods.empty());
}

TEST(BottleneckTest, OpsBelowTheBalanceAreMemoryBandwidth) {
  BottleneckReport r = analyzeProfile(profile(0.01, 0.5, 2, 0.3, 0.2), stdlib());
  EXPECT_EQ(r.bottleneck, "memory bandwidth");
  EXPECT_EQ(r.methods, std::vector<std::string>{"channels_last"});
  std::ostringstream text;
  printProfileReport(text, profile(0.01, 0.5, 2, 0.3, 0.2), r);
  EXPECT_NE(text.str().find("bottleneck: memory bandwidth"), std::string::npos);
}

TEST(BottleneckTest, TheVerdictCountsBackwardTimeToo) {
  // Forward alone is mostly the dense conv; the elementwise op's backward tips it.
  BottleneckReport r = analyzeProfile(profile(0.01, 0.5, 50, 0.3, 0.1, 0.4), stdlib());
  EXPECT_DOUBLE_EQ(r.computeBoundSeconds, 0.3);
  EXPECT_DOUBLE_EQ(r.memoryBoundSeconds, 0.5);
  EXPECT_EQ(r.bottleneck, "memory bandwidth");
}

TEST(BottleneckTest, PhaseSumIsCheckedAgainstTheUninstrumentedStep) {
  const nlohmann::json p = profile(0.01, 0.5, 50, 0.3, 0.1, 0.05);
  BottleneckReport r = analyzeProfile(p, stdlib());
  EXPECT_DOUBLE_EQ(r.uninstrumentedStepSeconds, 0.8 * 0.52);
  EXPECT_NEAR(r.phaseSumRatio, 1 / 0.8, 1e-12);
  EXPECT_DOUBLE_EQ(r.forward.opsSeconds, 0.4);
  EXPECT_DOUBLE_EQ(r.forward.unattributed(), 0.1);
  EXPECT_DOUBLE_EQ(r.backward.unattributed(), -0.05); // shown as is, never hidden
  const nlohmann::json j = reportJson(r);
  EXPECT_DOUBLE_EQ(j.at("ratio").get<double>(), r.phaseSumRatio);
  EXPECT_DOUBLE_EQ(j.at("forward").at("unattributed_seconds").get<double>(), 0.1);
  std::ostringstream text;
  printProfileReport(text, p, r);
  EXPECT_NE(text.str().find("phases sum 520.00 ms vs uninstrumented step 416.00 ms (ratio 1.250)"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("median step 500.00 ms vs uninstrumented median step 400.00 ms (ratio "
                            "1.250)"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("forward ops 400.00 ms of the forward phase 500.00 ms (unattributed "
                            "100.00 ms"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("frozen"), std::string::npos) << text.str();
}

TEST(BottleneckTest, AProfileWithoutTheCheckSaysSo) {
  nlohmann::json p = profile(0.01, 0.5, 50, 0.3, 0.1);
  p.erase("uninstrumented");
  BottleneckReport r = analyzeProfile(p, stdlib());
  EXPECT_EQ(r.phaseSumRatio, 0);
  std::ostringstream text;
  printProfileReport(text, p, r);
  EXPECT_NE(text.str().find("no uninstrumented run to compare"), std::string::npos);
}

} // namespace
} // namespace fiver
