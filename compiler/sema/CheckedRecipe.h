// The output of semantic analysis: a recipe with every name resolved, every
// parameter type-checked and defaulted, and the model expanded into layers.
// Everything after sema (IR, passes, lowering) reads only this.
#pragma once

#include "compiler/diag/SourceLocation.h"
#include "compiler/onnx/ImportedModel.h"
#include "compiler/sema/Taxonomy.h"
#include "compiler/sema/Value.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fiver {

using ParamMap = std::map<std::string, Value>;

// One layer of a model after model parameters were substituted. `kind` is one
// of: conv, bn, relu, gelu, silu, maxpool, avgpool, global_avgpool,
// global_maxpool, flatten, linear, dropout, embedding, layernorm,
// causal_attention, residual (body = the residual branch; an optional
// `shortcut` list holds a projection branch), sequence (body).
struct LayerSpec {
  std::string kind;
  ParamMap args; // e.g. conv: out, kernel, stride, padding; linear: out
  std::vector<LayerSpec> body;
  std::vector<LayerSpec> shortcut;
  SourceRange where;
};

struct ModelSpec {
  std::string name;
  ParamMap args;
  std::vector<LayerSpec> layers;
  SourceRange where;
  // A model imported from ONNX (`model onnx("file.onnx")`): its ops replace
  // `layers`, with the recipe's head and input adaptations applied.
  std::optional<onnx_import::ImportedModel> imported;
};

struct TaskSpec {
  std::string name;
  std::string dataset;             // "fashion_mnist", "synthetic", ...
  std::string path;                // directory with the dataset's files
  std::vector<int64_t> inputShape; // C, H, W; or T for token sequences
  int64_t classes = 0;
  int64_t trainSize = 0; // samples in the full training split
  int64_t testSize = 0;
  std::string metric = "accuracy";
  SourceRange where;
};

struct CallSpec { // optimizer, schedule, augmentation
  std::string kind;
  ParamMap params;
  SourceRange where;
};

struct MethodUse {
  std::string name;
  Triple triple;
  ParamMap params;                  // every declared parameter, defaults filled in
  std::vector<std::string> passes;  // compiler passes the method lowers to
  std::vector<std::string> hooks;   // runtime hooks the method lowers to
  std::vector<std::string> effects; // "T_i", "n_iteration", "model_size"
  SourceRange where;
  // The arguments written in the recipe, by parameter name: a pass that
  // rejects a value reports at it.
  std::map<std::string, SourceRange> argWhere;
};

struct Budget {
  double amount = 0;
  Unit unit = Unit::Epochs;
  SourceRange where;
};

struct Target {
  std::string metric;
  double value = 0; // fraction for percentages
  bool present = false;
};

struct CheckedRecipe {
  std::string name;
  std::string file;
  std::string sourceHash; // hash of the source texts that produced this recipe
  ModelSpec model;
  TaskSpec task;
  CallSpec optimizer;
  CallSpec schedule;
  std::vector<CallSpec> augment;
  Budget budget;
  // A wall-clock limit (`budget 90 s`, given alongside `budget`): the run stops
  // at it, while the schedule stays fitted to `budget`.
  std::optional<Budget> timeLimit;
  int64_t batchSize = 128;
  uint64_t seed = 0;
  int64_t trainSubset = 0; // 0 = the whole training split
  // Training examples held out for evaluation during the run (0 = none): the
  // same ones for every recipe and seed; train_subset is taken from the rest.
  int64_t holdout = 0;
  SourceRange holdoutWhere;
  std::string precision = "fp32";
  Target target;
  std::vector<MethodUse> methods;
  std::vector<std::string> provenance; // overrides applied, in order
};

} // namespace fiver
