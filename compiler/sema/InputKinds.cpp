#include "compiler/sema/InputKinds.h"

namespace fiver {

InputKind taskInputKind(const std::vector<int64_t>& inputShape) {
  return inputShape.size() == 1 ? InputKind::Tokens : InputKind::Images;
}

std::optional<InputKind> parseInputKind(const std::string& word) {
  if (word == "images") return InputKind::Images;
  if (word == "text") return InputKind::Tokens;
  return std::nullopt;
}

const std::vector<std::string>& inputKindWords() {
  static const std::vector<std::string> kWords = {"images", "text"};
  return kWords;
}

const char* inputKindName(InputKind kind) {
  switch (kind) {
  case InputKind::Images:
    return "images";
  case InputKind::Tokens:
    return "token sequences";
  case InputKind::Any:
    break;
  }
  return "any input";
}

} // namespace fiver
