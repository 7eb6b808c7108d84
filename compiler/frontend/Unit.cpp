#include "compiler/frontend/Unit.h"

namespace fiver {

std::string_view unitName(Unit u) {
  switch (u) {
  case Unit::None:
    return "";
  case Unit::Percent:
    return "%";
  case Unit::Epochs:
    return "epochs";
  case Unit::Steps:
    return "steps";
  case Unit::Samples:
    return "samples";
  case Unit::Seconds:
    return "s";
  }
  return "";
}

} // namespace fiver
