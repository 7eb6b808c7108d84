#include "compiler/sema/Builtins.h"

namespace fiver {

namespace {
ParamSpec required(std::string name, std::string type, std::optional<double> lo = {},
                   std::optional<double> hi = {}) {
  return ParamSpec{std::move(name), std::move(type), std::nullopt, lo, hi, {}};
}
ParamSpec number(std::string name, double def, std::optional<double> lo = {},
                 std::optional<double> hi = {}) {
  return ParamSpec{std::move(name), "float", Value::num(def), lo, hi, {}};
}
ParamSpec integer(std::string name, double def, std::optional<double> lo = {},
                  std::optional<double> hi = {}) {
  return ParamSpec{std::move(name), "int", Value::num(def, Unit::None, true), lo, hi, {}};
}
ParamSpec percent(std::string name, double def) {
  return ParamSpec{std::move(name), "percent", Value::num(def, Unit::Percent), 0.0, 100.0, {}};
}
ParamSpec flag(std::string name, bool def) {
  return ParamSpec{std::move(name), "bool", Value::flag(def), {}, {}, {}};
}
} // namespace

const BuiltinTable& builtinOptimizers() {
  static const BuiltinTable table = {
      {"sgd",
       {number("lr", 0.1, 0, 100), number("momentum", 0.9, 0, 1), flag("nesterov", true),
        number("weight_decay", 5e-4, 0, 1)}},
      {"adamw",
       {number("lr", 1e-3, 0, 100), number("beta1", 0.9, 0, 1), number("beta2", 0.999, 0, 1),
        number("eps", 1e-8, 0, 1), number("weight_decay", 0.01, 0, 1)}},
  };
  return table;
}

const BuiltinTable& builtinSchedules() {
  static const BuiltinTable table = {
      {"one_cycle",
       {percent("warmup", 25), number("div_factor", 25, 1), number("final_div_factor", 1e4, 1)}},
      {"cosine", {percent("warmup", 0)}},
      {"linear", {percent("warmup", 0)}},
      {"constant", {percent("warmup", 0)}},
      {"step", {percent("warmup", 0), percent("every", 30), number("gamma", 0.1, 0, 1)}},
      {"cyclic",
       {percent("warmup", 0), integer("cycles", 4, 1, 1000), number("div_factor", 10, 1)}},
  };
  return table;
}

const BuiltinTable& builtinAugmentations() {
  static const BuiltinTable table = {
      {"crop", {integer("padding", 2, 0, 64)}},
      {"flip", {number("p", 0.5, 0, 1)}},
  };
  return table;
}

const BuiltinTable& builtinLayers() {
  static const BuiltinTable table = {
      {"conv",
       {required("out", "int", 1), integer("kernel", 3, 1, 15), integer("stride", 1, 1, 8),
        integer("padding", -1, -1, 15), flag("bias", false)}},
      {"bn", {}},
      {"relu", {}},
      {"gelu", {}},
      {"silu", {}},
      {"maxpool", {integer("kernel", 2, 1, 8), integer("stride", 0, 0, 8)}},
      {"avgpool", {integer("kernel", 2, 1, 8), integer("stride", 0, 0, 8)}},
      {"global_avgpool", {}},
      {"global_maxpool", {}},
      {"flatten", {}},
      {"linear", {required("out", "int", 1), flag("bias", true)}},
      {"dropout", {number("p", 0.5, 0, 1)}},
      {"embedding", {required("dim", "int", 1)}},
      {"layernorm", {}},
      {"causal_attention", {integer("heads", 4, 1, 256)}},
  };
  return table;
}

std::vector<std::string> namesOf(const BuiltinTable& table) {
  std::vector<std::string> names;
  for (const auto& [name, specs] : table)
    names.push_back(name);
  return names;
}

} // namespace fiver
