#include "runtime/data/Dataset.h"

#include "runtime/data/CifarReader.h"
#include "runtime/data/Holdout.h"
#include "runtime/data/IdxReader.h"
#include "runtime/data/ImageFolderReader.h"
#include "runtime/data/TextSplits.h"

#include <cstdlib>
#include <filesystem>

namespace fiver::runtime {

namespace {

torch::Tensor imagesToTensor(IdxArray&& a) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(a.data));
  torch::Tensor t = torch::from_blob(
      owner->data(), {a.dims[0], 1, a.dims[1], a.dims[2]}, [owner](void*) {}, torch::kUInt8);
  return t.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor labelsToTensor(IdxArray&& a, int64_t classes, const std::string& path) {
  torch::Tensor t = torch::from_blob(a.data.data(), {a.dims[0]}, torch::kUInt8).to(torch::kInt64);
  if (t.numel() > 0 && t.max().item<int64_t>() >= classes)
    throw DataError(path + ": a label is " + std::to_string(t.max().item<int64_t>()) +
                    ", but the task has " + std::to_string(classes) + " classes");
  return t;
}

Split loadIdxSplit(const std::string& dir, const std::string& prefix, int64_t classes) {
  std::string images = dir + "/" + prefix + "-images-idx3-ubyte.gz";
  std::string labels = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  Split s;
  s.images = imagesToTensor(readIdx(images, 3));
  s.labels = labelsToTensor(readIdx(labels, 1), classes, labels);
  if (s.images.size(0) != s.labels.size(0))
    throw DataError(images + ": " + std::to_string(s.images.size(0)) + " images but " + labels +
                    " has " + std::to_string(s.labels.size(0)) + " labels");
  return s;
}

// uint8 pixels (N x C x H x W) scaled to [0, 1], and their labels.
Split bytesToSplit(std::vector<uint8_t>&& pixels, std::vector<uint8_t>&& labels, int64_t count,
                   int64_t channels, int64_t height, int64_t width) {
  Split s;
  s.images = torch::from_blob(pixels.data(), {count, channels, height, width}, torch::kUInt8)
                 .to(torch::kFloat32)
                 .div_(255.0f);
  s.labels = torch::from_blob(labels.data(), {count}, torch::kUInt8).to(torch::kInt64);
  return s;
}

void requireInput(const plan::Task& task, int64_t c, int64_t h, int64_t w) {
  if (task.inputShape.size() != 3 || task.inputShape[0] != c || task.inputShape[1] != h ||
      task.inputShape[2] != w)
    throw DataError("dataset " + task.dataset + " has inputs [" + std::to_string(c) + ", " +
                    std::to_string(h) + ", " + std::to_string(w) + "]");
}

Split loadCifarSplit(const std::vector<std::string>& files, int64_t classes) {
  CifarImages all;
  for (const std::string& f : files)
    readCifarBatch(f, classes, all);
  return bytesToSplit(std::move(all.pixels), std::move(all.labels), all.count, 3, 32, 32);
}

Split loadFolderSplit(const std::string& dir, const plan::Task& task) {
  const auto& in = task.inputShape;
  FolderImages f = readImageFolder(dir, in[0], in[1], in[2], task.classes);
  return bytesToSplit(std::move(f.pixels), std::move(f.labels), f.count, in[0], in[1], in[2]);
}

// Each class is a fixed random template (drawn from `templateSeed`, the same
// for both splits, so the test split asks what training taught); samples add
// noise drawn from `seed`. Learnable, but not trivially (noise std equals the
// template's).
Split syntheticSplit(const plan::Task& task, int64_t n, uint64_t templateSeed, uint64_t seed) {
  std::vector<int64_t> shape = {task.classes, task.inputShape[0], task.inputShape[1],
                                task.inputShape[2]};
  torch::Tensor templates = torch::rand(shape, at::detail::createCPUGenerator(templateSeed));
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  Split s;
  s.labels = torch::randint(task.classes, {n}, gen, torch::kInt64);
  torch::Tensor noise = torch::randn({n, shape[1], shape[2], shape[3]}, gen) * 0.3;
  s.images = (templates.index_select(0, s.labels) + noise).clamp_(0, 1);
  return s;
}

// task.path, or $FIVER_DATA_DIR when set.
std::string dataDir(const plan::Task& task) {
  if (const char* env = std::getenv("FIVER_DATA_DIR"); env && *env) return env;
  return task.path;
}

Split rowsOf(const Split& s, const torch::Tensor& rows) {
  return {s.images.index_select(0, rows).contiguous(), s.labels.index_select(0, rows)};
}

torch::Tensor indexTensor(const std::vector<int64_t>& v) {
  return torch::tensor(v, torch::kInt64);
}

// Moves the plan's held-out examples from d.train to d.holdout.
void holdOut(Dataset& d, int64_t count) {
  if (count >= d.train.size())
    throw DataError("a holdout of " + std::to_string(count) +
                    " examples leaves nothing to train on: the training split has " +
                    std::to_string(d.train.size()));
  HoldoutSplit h = splitHoldout(d.train.size(), count);
  d.holdoutOrigin = indexTensor(h.heldOut);
  d.trainOrigin = indexTensor(h.remaining);
  d.holdout = rowsOf(d.train, d.holdoutOrigin);
  d.train = rowsOf(d.train, d.trainOrigin);
}

} // namespace

Dataset loadDataset(const plan::Task& task, uint64_t seed) {
  Dataset d;
  if (task.dataset == "synthetic") {
    d.train = syntheticSplit(task, task.trainSize + task.holdout, seed * 2, seed * 2 + 1);
    d.test = syntheticSplit(task, task.testSize, seed * 2, seed * 2 + 2);
  } else if (task.dataset == "fashion_mnist" || task.dataset == "mnist") {
    d.train = loadIdxSplit(dataDir(task), "train", task.classes);
    d.test = loadIdxSplit(dataDir(task), "t10k", task.classes);
  } else if (task.dataset == "cifar10") {
    requireInput(task, 3, 32, 32);
    d.train = loadCifarSplit(cifarTrainFiles(dataDir(task)), task.classes);
    d.test = loadCifarSplit({dataDir(task) + "/test_batch.bin"}, task.classes);
  } else if (task.dataset == "image_folder") {
    if (task.inputShape.size() != 3) throw DataError("dataset image_folder needs input [C, H, W]");
    d.train = loadFolderSplit(dataDir(task) + "/train", task);
    d.test = loadFolderSplit(dataDir(task) + "/test", task);
  } else if (task.dataset == "text") {
    loadTextSplits(task, dataDir(task), d.train, d.test);
  } else if (task.dataset == "synthetic_text") {
    if (task.inputShape.size() != 1 || task.inputShape[0] <= 0 || task.classes <= 0)
      throw DataError("dataset synthetic_text needs input [sequence length] and classes > 0");
    // One chain for both splits, so the test split measures what was learned.
    torch::Tensor chain = markovTransitions(task.classes, seed * 2);
    d.train =
        markovSequences(chain, task.trainSize + task.holdout, task.inputShape[0], seed * 2 + 1);
    d.test = markovSequences(chain, task.testSize, task.inputShape[0], seed * 2 + 2);
  } else {
    throw DataError("unknown dataset '" + task.dataset +
                    "' (known: cifar10, fashion_mnist, image_folder, mnist, synthetic, "
                    "synthetic_text, text)");
  }
  if (task.holdout > 0) holdOut(d, task.holdout);
  if (task.trainSize > 0 && task.trainSize < d.train.size()) {
    d.train.images = d.train.images.narrow(0, 0, task.trainSize).contiguous();
    d.train.labels = d.train.labels.narrow(0, 0, task.trainSize).contiguous();
    if (d.trainOrigin.defined()) d.trainOrigin = d.trainOrigin.narrow(0, 0, task.trainSize);
  }
  if (task.testSize > 0 && task.testSize < d.test.size()) {
    d.test.images = d.test.images.narrow(0, 0, task.testSize).contiguous();
    d.test.labels = d.test.labels.narrow(0, 0, task.testSize).contiguous();
  }
  if (isTokenDataset(task.dataset)) return d; // token ids are not normalized
  d.mean = d.train.images.mean().item<float>();
  d.std = std::max(1e-6f, d.train.images.std().item<float>());
  d.train.images.sub_(d.mean).div_(d.std);
  d.test.images.sub_(d.mean).div_(d.std);
  if (d.holdout.images.defined()) d.holdout.images.sub_(d.mean).div_(d.std);
  d.padValue = -d.mean / d.std;
  return d;
}

Dataset toDevice(const Dataset& data, const torch::Device& device) {
  Dataset d = data;
  for (Split* s : {&d.train, &d.test, &d.holdout}) {
    if (!s->images.defined()) continue;
    s->images = s->images.to(device);
    s->labels = s->labels.to(device);
  }
  return d;
}

} // namespace fiver::runtime
