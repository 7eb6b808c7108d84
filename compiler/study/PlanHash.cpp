#include "compiler/study/PlanHash.h"

namespace fiver::study {

std::string planHash(const plan::Plan& plan) {
  return fnv1aHex(plan::planToString(plan));
}

} // namespace fiver::study
