// Reads the corpus of a `text` task: one file, or a folder whose regular files
// are concatenated in name order (symlinks and strfile indices, `*.dat`, are
// skipped: Debian's fortunes folder holds both). Tokens are the bytes.
// Torch-free. Errors name the path, and the byte offset where reading stopped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::runtime {

struct TextCorpus {
  std::vector<std::string> files; // read, in order
  std::vector<uint8_t> bytes;
};

TextCorpus readTextCorpus(const std::string& path);

// The first 90% of a corpus trains, the rest tests: the training split's size.
int64_t textTrainBytes(int64_t corpusBytes);

// Non-overlapping windows of length + 1 bytes taken with stride `length` (the
// last byte of one window is the first of the next): how many fit in `bytes`.
int64_t textWindowCount(int64_t bytes, int64_t length);

} // namespace fiver::runtime
