// The parameter tables of what is built into the runtime rather than declared
// in .5r: optimizers, learning-rate schedules, augmentations and layer kinds.
#pragma once

#include "compiler/sema/Params.h"

#include <map>
#include <string>
#include <vector>

namespace fiver {

using BuiltinTable = std::map<std::string, std::vector<ParamSpec>>;

const BuiltinTable& builtinOptimizers();
const BuiltinTable& builtinSchedules();
const BuiltinTable& builtinAugmentations();
const BuiltinTable& builtinLayers();

std::vector<std::string> namesOf(const BuiltinTable& table);

} // namespace fiver
