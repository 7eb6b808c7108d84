// Checked recipes written directly in C++, so that IR and pass tests do not
// depend on the parser, sema or the stdlib's current models.
#pragma once

#include "compiler/sema/CheckedRecipe.h"

#include <string>
#include <vector>

namespace fiver::test {

inline SourceRange at(uint32_t line) {
  return SourceRange{SourceLoc{"hand.5r", line, 3, 0}, 4};
}

inline LayerSpec layer(std::string kind, ParamMap args = {}, uint32_t line = 0) {
  LayerSpec l;
  l.kind = std::move(kind);
  l.args = std::move(args);
  l.where = at(line);
  return l;
}

inline Value whole(int64_t v) {
  return Value::num(static_cast<double>(v), Unit::None, true);
}

inline LayerSpec conv(int64_t out, int64_t kernel = 3, int64_t stride = 1, int64_t padding = 1,
                      uint32_t line = 0) {
  return layer("conv",
               {{"out", whole(out)},
                {"kernel", whole(kernel)},
                {"stride", whole(stride)},
                {"padding", whole(padding)},
                {"bias", Value::flag(false)}},
               line);
}

inline LayerSpec linear(int64_t out, uint32_t line = 0) {
  return layer("linear", {{"out", whole(out)}, {"bias", Value::flag(true)}}, line);
}

inline LayerSpec residual(std::vector<LayerSpec> body, std::vector<LayerSpec> shortcut = {},
                          uint32_t line = 0) {
  LayerSpec l = layer("residual", {}, line);
  l.body = std::move(body);
  l.shortcut = std::move(shortcut);
  return l;
}

// A recipe on a 1x28x28, 10-class task with 6000 training samples, batch 100
// (60 steps per epoch), 2 epochs, no methods.
inline CheckedRecipe handRecipe(std::vector<LayerSpec> layers) {
  CheckedRecipe r;
  r.name = "hand";
  r.file = "hand.5r";
  r.sourceHash = "0123abcd";
  r.model.name = "hand_model";
  r.model.layers = std::move(layers);
  r.model.where = at(1);
  r.task.name = "hand_task";
  r.task.dataset = "synthetic";
  r.task.inputShape = {1, 28, 28};
  r.task.classes = 10;
  r.task.trainSize = 6000;
  r.task.testSize = 1000;
  r.task.where = at(2);
  r.optimizer.kind = "sgd";
  r.optimizer.params = {{"lr", Value::num(0.1)}, {"nesterov", Value::flag(true)}};
  r.schedule.kind = "one_cycle";
  r.schedule.params = {{"warmup", Value::num(25, Unit::Percent)}};
  r.budget = {2, Unit::Epochs, at(3)};
  r.batchSize = 100;
  return r;
}

// conv-bn-relu twice with pooling, then global pooling and a classifier.
inline std::vector<LayerSpec> smallCnn() {
  return {conv(8),          layer("bn"), layer("relu"), layer("maxpool", {{"kernel", whole(2)}}),
          conv(16),         layer("bn"), layer("relu"), layer("global_avgpool"),
          layer("flatten"), linear(10)};
}

inline MethodUse method(std::string name, Triple triple, std::vector<std::string> passes,
                        ParamMap params = {}) {
  MethodUse m;
  m.name = std::move(name);
  m.triple = triple;
  m.params = std::move(params);
  m.passes = std::move(passes);
  m.hooks = {m.name};
  m.where = at(9);
  return m;
}

inline MethodUse progressiveResize(double from, double untilPercent, int64_t multiple) {
  return method("progressive_resize",
                {Action::Reorder, Component::TrainingData, Timing::Dynamic, Information::Domain},
                {"progressive_resolution"},
                {{"from", Value::num(from)},
                 {"until", Value::num(untilPercent, Unit::Percent)},
                 {"multiple", whole(multiple)}});
}

inline MethodUse layerFreezing(double startPercent, double endPercent) {
  return method("layer_freezing",
                {Action::Reorder, Component::ModelParameters, Timing::Dynamic, Information::Domain},
                {"layer_freezing"},
                {{"start", Value::num(startPercent, Unit::Percent)},
                 {"end", Value::num(endPercent, Unit::Percent)}});
}

inline MethodUse channelsLast() {
  return method("channels_last",
                {Action::Reorder, Component::DerivedData, Timing::Static, Information::Domain},
                {"channels_last"});
}

} // namespace fiver::test
