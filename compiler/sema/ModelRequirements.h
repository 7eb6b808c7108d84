// What a method may require of the recipe's model (`requires WORD` in its
// declaration), and the check that the chosen model has it: a method whose
// requirement the model lacks would have nothing to act on.
#pragma once

#include "compiler/diag/Diagnostic.h"
#include "compiler/sema/CheckedRecipe.h"

#include <string>
#include <vector>

namespace fiver {

struct ModelRequirement {
  const char* word;    // written after `requires`
  const char* meaning; // for messages and completion
};

const std::vector<ModelRequirement>& modelRequirements();
bool isModelRequirement(const std::string& word);

// Reports each of `requirements` (of the method `use`) that `model` lacks.
void checkModelRequirements(const MethodUse& use, const std::vector<std::string>& requirements,
                            const ModelSpec& model, DiagnosticEngine& diags);

} // namespace fiver
