// The bottleneck named from synthetic profiles, and the methods offered for it
// read from method declarations.
#include "compiler/driver/Bottleneck.h"

#include <gtest/gtest.h>

#include <sstream>

namespace fiver {
namespace {

MethodSignature method(const std::string& name, Action a, Component c, std::string effect) {
  MethodSignature m;
  m.name = name;
  m.triple = {a, c, Timing::Static, Information::Domain};
  m.effects = {std::move(effect)};
  return m;
}

std::map<std::string, MethodSignature> stdlib() {
  return {
      {"data_echoing", method("data_echoing", Action::Restrict, Component::TrainingData, "T_i")},
      {"channels_last", method("channels_last", Action::Reorder, Component::DerivedData, "T_i")},
      {"layer_freezing",
       method("layer_freezing", Action::Reorder, Component::ModelParameters, "T_i")},
      {"label_smoothing",
       method("label_smoothing", Action::Replace, Component::TrainingObjective, "n_iteration")}};
}

nlohmann::json profile(double data, double forward, double convIntensity, double convSeconds,
                       double reluSeconds) {
  return {{"recipe", "r"},
          {"device", "cpu"},
          {"step_seconds", data + forward + 0.01},
          {"phases", {{"data", data}, {"forward", forward}, {"other", 0.01}}},
          {"roofline", {{"peak_flops", 1e11}, {"bandwidth", 1e10}, {"balance", 10.0}}},
          {"ops",
           {{{"name", "conv1"},
             {"kind", "conv"},
             {"forward_seconds", convSeconds},
             {"intensity", convIntensity}},
            {{"name", "relu1"},
             {"kind", "relu"},
             {"forward_seconds", reluSeconds},
             {"intensity", 0.1}}}}};
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
  EXPECT_EQ(r.methods, (std::vector<std::string>{"data_echoing", "layer_freezing"}));
}

TEST(BottleneckTest, OpsBelowTheBalanceAreMemoryBandwidth) {
  BottleneckReport r = analyzeProfile(profile(0.01, 0.5, 2, 0.3, 0.2), stdlib());
  EXPECT_EQ(r.bottleneck, "memory bandwidth");
  EXPECT_EQ(r.methods, std::vector<std::string>{"channels_last"});
  std::ostringstream text;
  printProfileReport(text, profile(0.01, 0.5, 2, 0.3, 0.2), r);
  EXPECT_NE(text.str().find("bottleneck: memory bandwidth"), std::string::npos);
  EXPECT_NE(text.str().find("(ratio 1.000)"), std::string::npos) << text.str();
}

} // namespace
} // namespace fiver
