// Reads IDX files (the MNIST family's format), gzipped or not. Torch-free.
// Errors name the file and the byte offset, in the uncompressed stream, where
// the data stopped making sense.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiver::runtime {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data; // row-major, dims' product bytes
};

struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `expectedRank` is 3 for images (N, H, W) and 1 for labels (N).
IdxArray readIdx(const std::string& path, int expectedRank);

} // namespace fiver::runtime
