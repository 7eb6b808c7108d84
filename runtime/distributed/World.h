// Where this process stands among the processes of one run, read from the
// environment variables torchrun, Slurm wrappers and our own launcher set:
// WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace fiver::runtime::distributed {

struct World {
  int size = 1;
  int rank = 0;
  int localRank = 0;
  std::string masterAddr = "127.0.0.1";
  uint16_t masterPort = 29500;

  bool isDistributed() const { return size > 1; }
};

struct WorldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A single process when WORLD_SIZE is unset; throws WorldError naming the
// variable when a value is malformed or inconsistent.
World worldFromEnvironment();

} // namespace fiver::runtime::distributed
