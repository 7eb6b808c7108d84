#include "runtime/data/TextSplits.h"

#include "runtime/data/IdxReader.h"
#include "runtime/data/TextReader.h"

namespace fiver::runtime {

namespace {
// Probability mass spread over every symbol, so no transition is impossible.
constexpr double kUniformMass = 0.05;
} // namespace

bool isTokenDataset(const std::string& dataset) {
  return dataset == "text" || dataset == "synthetic_text";
}

Split textWindows(const std::vector<uint8_t>& bytes, int64_t begin, int64_t end, int64_t length) {
  const int64_t count = textWindowCount(end - begin, length);
  Split s;
  if (count == 0) {
    s.images = torch::zeros({0, length}, torch::kInt64);
    s.labels = torch::zeros({0, length}, torch::kInt64);
    return s;
  }
  // Read-only view of the bytes; the int64 copy below owns its memory.
  torch::Tensor all =
      torch::from_blob(const_cast<uint8_t*>(bytes.data()) + begin, {end - begin}, torch::kUInt8);
  torch::Tensor windows = all.narrow(0, 0, count * length + 1).unfold(0, length + 1, length);
  s.images = windows.narrow(1, 0, length).to(torch::kInt64).contiguous();
  s.labels = windows.narrow(1, 1, length).to(torch::kInt64).contiguous();
  return s;
}

void loadTextSplits(const plan::Task& task, const std::string& path, Split& train, Split& test) {
  if (task.inputShape.size() != 1 || task.inputShape[0] <= 0)
    throw DataError("dataset text needs input [sequence length]");
  if (task.classes < 256)
    throw DataError(path + ": text tokens are bytes (256 values), but the task has " +
                    std::to_string(task.classes) + " classes");
  const int64_t length = task.inputShape[0];
  TextCorpus corpus = readTextCorpus(path);
  const auto size = static_cast<int64_t>(corpus.bytes.size());
  const int64_t trainEnd = textTrainBytes(size);
  for (auto [begin, end, name] :
       {std::tuple{int64_t{0}, trainEnd, "training"}, std::tuple{trainEnd, size, "test"}})
    if (textWindowCount(end - begin, length) == 0)
      throw DataError(path + ": the " + name + " split, bytes " + std::to_string(begin) + " to " +
                      std::to_string(end) + " of " + std::to_string(size) +
                      ", is shorter than one sequence of " + std::to_string(length) +
                      " tokens and its next token (" + std::to_string(length + 1) + " bytes)");
  train = textWindows(corpus.bytes, 0, trainEnd, length);
  test = textWindows(corpus.bytes, trainEnd, size, length);
}

torch::Tensor markovTransitions(int64_t symbols, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  torch::Tensor rows = torch::full({symbols, symbols}, kUniformMass / static_cast<double>(symbols));
  for (int64_t from = 0; from < symbols; ++from) {
    const int64_t likely =
        std::min<int64_t>(symbols, 2 + torch::randint(3, {1}, gen).item<int64_t>());
    torch::Tensor next = torch::randperm(symbols, gen, torch::kInt64).narrow(0, 0, likely);
    torch::Tensor weights = torch::rand({likely}, gen) + 0.5;
    rows[from].index_add_(0, next, weights / weights.sum() * (1 - kUniformMass));
  }
  return rows;
}

Split markovSequences(const torch::Tensor& transitions, int64_t count, int64_t length,
                      uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  const int64_t symbols = transitions.size(0);
  torch::Tensor walk = torch::empty({count, length + 1}, torch::kInt64);
  if (count == 0) return {walk.narrow(1, 0, length), walk.narrow(1, 1, length)};
  torch::Tensor current = torch::randint(symbols, {count}, gen, torch::kInt64);
  walk.select(1, 0).copy_(current);
  for (int64_t t = 1; t <= length; ++t) {
    current = torch::multinomial(transitions.index_select(0, current), 1, true, gen).squeeze(1);
    walk.select(1, t).copy_(current);
  }
  Split s;
  s.images = walk.narrow(1, 0, length).contiguous();
  s.labels = walk.narrow(1, 1, length).contiguous();
  return s;
}

} // namespace fiver::runtime
