#include "compiler/study/PlanHash.h"

#include <cstdint>
#include <cstdio>

namespace fiver::study {

std::string fnv1aHex(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string planHash(const plan::Plan& plan) {
  return fnv1aHex(plan::planToString(plan));
}

} // namespace fiver::study
