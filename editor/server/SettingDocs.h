// One line about each recipe setting: completion's detail and hover's text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fiver::lsp {

// (setting, what it means), in the order completion offers them.
const std::vector<std::pair<std::string, std::string>>& recipeSettingDocs();

// The line for `setting`, or "" when it is not a recipe setting.
std::string recipeSettingDoc(const std::string& setting);

// Markdown about `model onnx("file.onnx", ...)`: completion's and hover's text.
std::string onnxModelDoc();

} // namespace fiver::lsp
