#include "runtime/distributed/World.h"

#include <cstdlib>

namespace fiver::runtime::distributed {

namespace {

const char* variable(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

long integerVariable(const char* name, long fallback, long low, long high) {
  const char* v = variable(name);
  if (!v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < low || n > high)
    throw WorldError(std::string(name) + "='" + v + "' is not an integer in [" +
                     std::to_string(low) + ", " + std::to_string(high) + "]");
  return n;
}

} // namespace

World worldFromEnvironment() {
  World w;
  w.size = static_cast<int>(integerVariable("WORLD_SIZE", 1, 1, 65536));
  if (!w.isDistributed()) return w;
  if (!variable("RANK")) throw WorldError("WORLD_SIZE is set but RANK is not");
  w.rank = static_cast<int>(integerVariable("RANK", 0, 0, w.size - 1));
  w.localRank = static_cast<int>(integerVariable("LOCAL_RANK", w.rank, 0, 65535));
  if (const char* addr = variable("MASTER_ADDR")) w.masterAddr = addr;
  w.masterPort = static_cast<uint16_t>(integerVariable("MASTER_PORT", 29500, 1, 65535));
  return w;
}

} // namespace fiver::runtime::distributed
