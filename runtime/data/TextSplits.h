// The splits of next-token tasks. Split.images holds int64 token ids [N, T]
// and Split.labels the int64 next token of each position [N, T] (see
// Dataset.h). `text` cuts a byte corpus (runtime/data/TextReader.h) into
// windows; `synthetic_text` draws sequences from a random sparse Markov chain.
#pragma once

#include "runtime/data/Dataset.h"

namespace fiver::runtime {

// Whether the task's inputs are token sequences rather than images.
bool isTokenDataset(const std::string& dataset);

// Windows of length + 1 bytes of bytes[begin, end), taken with stride
// `length`: input = window[0, length), label = window[1, length + 1).
Split textWindows(const std::vector<uint8_t>& bytes, int64_t begin, int64_t end, int64_t length);

// The `text` task read from `path`: the first 90% of the corpus is the
// training split, the rest the test split, each cut into windows of the
// task's sequence length T (input [T]). DataError, naming the path and byte
// offsets, when a split has no window or the classes cannot hold a byte.
void loadTextSplits(const plan::Task& task, const std::string& path, Split& train, Split& test);

// A first-order Markov chain over `symbols`: every symbol has two to four
// likely successors and a little probability of any other. Row i is the
// distribution of the symbol after i. Fixed by `seed`.
torch::Tensor markovTransitions(int64_t symbols, uint64_t seed);

// `count` sequences of T + 1 symbols walked on `transitions` from a uniform
// first symbol, as inputs and next-symbol labels [count, T].
Split markovSequences(const torch::Tensor& transitions, int64_t count, int64_t length,
                      uint64_t seed);

} // namespace fiver::runtime
