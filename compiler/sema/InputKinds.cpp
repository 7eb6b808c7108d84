#include "compiler/sema/InputKinds.h"

#include <cstdint>
#include <map>

namespace fiver {

InputKind taskInputKind(const std::vector<int64_t>& inputShape) {
  return inputShape.size() == 1 ? InputKind::Tokens : InputKind::Images;
}

InputKind methodInputKind(const std::string& method) {
  static const std::map<std::string, InputKind> kNeeds = {
      // Resize, crop, mix or re-layout pixels, or reshape convolutions.
      {"progressive_resize", InputKind::Images},
      {"mixup", InputKind::Images},
      {"cutmix", InputKind::Images},
      {"cutout", InputKind::Images},
      {"colout", InputKind::Images},
      {"flip_tta", InputKind::Images},
      {"bce_for_mixup", InputKind::Images},
      {"augmentation_multiplicity", InputKind::Images},
      {"channels_last", InputKind::Images},
      {"blurpool", InputKind::Images},
      {"squeeze_excite", InputKind::Images},
      // Shortens sequences.
      {"seq_length_warmup", InputKind::Tokens},
  };
  auto it = kNeeds.find(method);
  return it == kNeeds.end() ? InputKind::Any : it->second;
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
