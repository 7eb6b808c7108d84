// What an import produces before it is written: the recipe's settings,
// method lines and drops, and each mapping decision that is not one to one
// (the written recipe's header lists them).
#pragma once

#include "compiler/sema/Taxonomy.h"
#include "compiler/sema/Value.h"

#include <string>
#include <utility>
#include <vector>

namespace fiver::composer {

struct MethodLine {
  std::string method; // FiveR method
  Triple triple;      // the declaration's primary triple
  std::vector<std::pair<std::string, Value>> args;
};

struct ImportedRecipe {
  std::string name;
  std::string base;                                          // the recipe it extends
  std::string baseImport;                                    // the import path of the base's file
  std::string source;                                        // the YAML file's name
  std::vector<std::pair<std::string, std::string>> settings; // `budget` -> `36 epochs`
  std::vector<MethodLine> methods;
  std::vector<std::string> drops;
  std::vector<std::string> decisions;
};

} // namespace fiver::composer
