// Composer's YAML scalars as FiveR values: typed by the FiveR parameter they
// become, compared with a rule's neutral value, and shown in messages.
#pragma once

#include "compiler/sema/Params.h"
#include "compiler/sema/Value.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace fiver::composer {

// A node as the YAML wrote it: `0.5`, `100ba`, `{...}`, `[...]`, `null`.
std::string valueText(const YAML::Node& node);

// Whether a node means the same as Composer's YAML text `other` (numbers by
// value, time strings by value and unit, booleans by truth, names by text).
bool sameComposerValue(const YAML::Node& node, std::string_view other);

// A scalar as a value of a FiveR parameter type (int, float, bool, name,
// duration); nullopt when it is not one.
std::optional<Value> valueForType(const YAML::Node& node, const std::string& type);

bool valueFitsType(const Value& v, const std::string& type);
std::string describeParamType(const std::string& type);
// "[0%, 100%]", "[0.0, 0.5]": a parameter's declared range.
std::string rangeText(const ParamSpec& spec, Unit unit);

} // namespace fiver::composer
