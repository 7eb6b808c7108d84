// `5rc-exec --nproc N` on one machine: starts N copies of this program as the
// ranks of one run (torchrun's environment variables, a free local port), and
// waits for them. When one rank fails, the others get `grace` to notice and
// exit on their own (their collectives time out), then are killed.
#pragma once

#include <chrono>

namespace fiver::runtime::distributed {

// Returns the exit status for the launcher: 0 when every rank succeeded, else
// the first failing rank's status.
int launchLocalRanks(int nproc, int argc, char** argv, std::chrono::seconds grace);

} // namespace fiver::runtime::distributed
