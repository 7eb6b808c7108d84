// The plan: everything the runtime needs to execute a training run, decided by
// the compiler. Self-contained (no references back to .5r sources), written as
// YAML with deterministic key order, and torch-free so lowering and the
// runtime share it. The runtime executes a plan; it never re-decides anything.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiver::plan {

inline constexpr int kPlanVersion = 1;

// A parameter value in a plan: a number or a string.
struct Scalar {
  bool isString = false;
  double number = 0;
  std::string text;

  static Scalar num(double v) { return Scalar{false, v, {}}; }
  static Scalar str(std::string s) { return Scalar{true, 0, std::move(s)}; }
  bool operator==(const Scalar&) const = default;
};
using ScalarMap = std::map<std::string, Scalar>;

double getNumber(const ScalarMap& m, const std::string& key, double fallback);
std::string getString(const ScalarMap& m, const std::string& key, const std::string& fallback);

// One node of the model graph, in topological order. Ops read the outputs of
// earlier ops by id; op 0 is always `input`.
//   kinds: input, conv, bn, relu, gelu, silu, maxpool, avgpool, global_avgpool
//          (mean over H and W, kept as 1x1), global_maxpool (max over H and W,
//          kept as 1x1), flatten, linear, dropout, add, fused (see `expr`),
//          blur (fixed 3x3 binomial low-pass, then subsampling by `stride`),
//          squeeze_excite (per-channel gate: mean, linear to `hidden`, relu,
//          linear, sigmoid)
struct Op {
  int id = 0;
  std::string kind;
  std::string name; // stable layer name, e.g. "conv3"; parameters live under it
  std::vector<int> inputs;
  // conv: in, out, kernel, stride, padding, bias, and fold_bn (the batch norm
  // folded into it from its freeze step on); bn: features, folded_into; add:
  // drop (stochastic-depth rate of its branch); fused: params, saved, ops;
  // blur: channels, stride; squeeze_excite: channels, hidden. Imported
  // models add conv: groups, adapt_input; bn: eps, momentum; maxpool and
  // avgpool: padding; and on ops with parameters init_weight, init_bias,
  // init_mean, init_var (the initializers of `Plan::modelSource` they start from).
  ScalarMap attrs;
  std::vector<int64_t> shape;              // output shape without the batch dimension
  std::string memoryFormat = "contiguous"; // or "channels_last"
  std::string dtype = "fp32"; // compute type: fp32, or bf16/fp16 inside autocast regions
  int64_t freezeStep = -1;    // step from which the op's parameters are frozen; -1 never
  std::string expr;           // fused: expression text consumed by the kernels library
  bool operator==(const Op&) const = default;
};

struct Task {
  std::string dataset;
  std::string path;
  std::vector<int64_t> inputShape;
  int64_t classes = 0;
  int64_t trainSize = 0; // samples used for training (after any holdout and subset)
  // Training-split examples held out to evaluate on during the run (0: the
  // test split is evaluated instead); see runtime/data/Holdout.h.
  int64_t holdout = 0;
  int64_t testSize = 0;
  std::string metric = "accuracy";
  bool operator==(const Task&) const = default;
};

struct Training {
  int64_t epochs = 0; // ceil(totalSteps / stepsPerEpoch)
  int64_t stepsPerEpoch = 0;
  int64_t totalSteps = 0;
  int64_t batchSize = 0;
  int64_t evalBatchSize = 1024;
  uint64_t seed = 0;
  double timeLimitSeconds = 0; // wall-clock budget; 0 = none
  std::string precision = "fp32";
  bool operator==(const Training&) const = default;
};

struct Call { // optimizer, schedule, augmentation
  std::string kind;
  ScalarMap params;
  bool operator==(const Call&) const = default;
};

// Input resolution from `startStep` on (until the next entry's startStep).
struct ResolutionStage {
  int64_t startStep = 0;
  int64_t height = 0;
  int64_t width = 0;
  bool operator==(const ResolutionStage&) const = default;
};

struct Method {
  std::string name;
  std::string triple;             // "reorder training_data dynamic domain"
  ScalarMap params;               // fully resolved; percentages as fractions, durations in steps
  std::vector<std::string> hooks; // runtime hooks, in the order they must run
  bool operator==(const Method&) const = default;
};

// Where a model's initial weights come from when it was imported: the file,
// its content hash (checked when the run loads it), and whether the run starts
// from its initializers ("pretrained") or from a fresh initialization
// ("random"). Empty for models declared in .5r.
struct ModelSource {
  std::string format; // "onnx"; empty: none
  std::string path;   // absolute
  std::string hash;   // FNV-1a of the file's bytes
  std::string weights = "pretrained";
  bool operator==(const ModelSource&) const = default;
};

struct Plan {
  int version = kPlanVersion;
  std::string recipe;
  std::string sourceHash;
  std::vector<std::string> provenance; // overrides applied
  std::vector<std::string> passes;     // passes that ran, in order
  Task task;
  Training training;
  Call optimizer;
  Call schedule;
  std::vector<Call> augment;
  std::vector<Op> ops;
  std::vector<ResolutionStage> resolution; // empty = always the task's input size
  std::vector<Method> methods;
  ModelSource modelSource;
  bool operator==(const Plan&) const = default;

  const Method* findMethod(const std::string& name) const;
};

// YAML serialization. writePlan output is byte-for-byte deterministic.
void writePlan(std::ostream& os, const Plan& plan);
std::string planToString(const Plan& plan);
// Throws PlanError with the file and a description on malformed input.
Plan readPlan(const std::string& path);
Plan parsePlan(const std::string& yamlText, const std::string& nameForErrors);

struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace fiver::plan
