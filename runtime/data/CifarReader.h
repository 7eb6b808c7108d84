// Reads CIFAR-10 binary batches (data_batch_*.bin, test_batch.bin): records of
// one label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, rows
// of 32). Torch-free. Errors name the file and the byte offset of the record
// that is cut short or malformed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::runtime {

struct CifarImages {
  int64_t count = 0;
  std::vector<uint8_t> labels; // count
  std::vector<uint8_t> pixels; // count x 3 x 32 x 32, row-major
};

inline constexpr int64_t kCifarRecordBytes = 1 + 3 * 32 * 32;

// Appends every record of `path` to `out`; a label of `classes` or more is
// an error.
void readCifarBatch(const std::string& path, int64_t classes, CifarImages& out);

// The training batches of a CIFAR-10 folder: its data_batch_*.bin files in
// name order; an error when there are none.
std::vector<std::string> cifarTrainFiles(const std::string& dir);

} // namespace fiver::runtime
