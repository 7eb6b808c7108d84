// One fuzz input through `5rc check`, shared by the libFuzzer target and the
// regression test that replays the corpus in the ordinary build.
#pragma once

#include <cstddef>
#include <string>

namespace fiver {

// Checks `size` bytes as the file `fuzz_input.5r` with the compiled-in
// standard library; returns the number of errors reported.
size_t checkOneInput(const char* data, size_t size);

} // namespace fiver
