#include "runtime/train/Checkpoint.h"

#include "compiler/support/AtomicFile.h"
#include "compiler/support/Fnv.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

namespace fiver::runtime {

namespace {

constexpr char kMagic[] = "FIVERCKPT1\n";
constexpr size_t kMagicSize = sizeof kMagic - 1;
constexpr size_t kHeaderSize = kMagicSize + 3 * sizeof(uint64_t);

// Checkpoints already written carry hashes made from this basis.
uint64_t checksum(const char* data, size_t size) {
  return fnv1a(std::string_view(data, size), kFnvShortBasis);
}

void putU64(std::string& out, uint64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  out.append(bytes, 8);
}

uint64_t getU64(const std::string& in, size_t offset) {
  uint64_t v = 0;
  std::memcpy(&v, in.data() + offset, 8);
  return v;
}

// Per-epoch and per-evaluation records are four numbers each, the first a
// count (epoch or step): stored as one float64 row per record.
using Row = std::array<double, 4>;
Row rowOf(const EpochResult& e) {
  return {static_cast<double>(e.epoch), e.accuracy, e.loss, e.trainSeconds};
}
Row rowOf(const EvalPoint& e) {
  return {static_cast<double>(e.step), e.epoch, e.accuracy, e.trainSeconds};
}

template <typename Record> torch::Tensor recordsToTensor(const std::vector<Record>& records) {
  torch::Tensor t = torch::zeros({static_cast<int64_t>(records.size()), 4}, torch::kFloat64);
  auto rows = t.accessor<double, 2>();
  for (size_t i = 0; i < records.size(); ++i) {
    const Row row = rowOf(records[i]);
    for (int64_t j = 0; j < 4; ++j)
      rows[static_cast<int64_t>(i)][j] = row[static_cast<size_t>(j)];
  }
  return t;
}

template <typename Record> std::vector<Record> recordsFromTensor(const torch::Tensor& t) {
  const torch::Tensor cpuRows = t.to(torch::kCPU, torch::kFloat64).contiguous();
  auto rows = cpuRows.accessor<double, 2>();
  std::vector<Record> out;
  for (int64_t i = 0; i < cpuRows.size(0); ++i)
    out.push_back({static_cast<int64_t>(rows[i][0]), rows[i][1], rows[i][2], rows[i][3]});
  return out;
}

// Tensors are stored on the CPU so a checkpoint is readable on any device.
torch::Tensor cpu(const torch::Tensor& t) {
  return t.defined() ? t.detach().to(torch::kCPU) : torch::empty({0}, torch::kInt64);
}

} // namespace

uint64_t planFingerprint(const plan::Plan& plan) {
  const std::string text = plan::planToString(plan);
  return checksum(text.data(), text.size());
}

void saveCheckpoint(const std::string& path, const CheckpointParts& parts,
                    const CheckpointProgress& progress) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model, optimizer;
  parts.model->save(model);
  parts.optimizer.save(optimizer);
  archive.write("model", model);
  archive.write("optimizer", optimizer);
  {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("rng", gen.get_state());
  }
  archive.write("progress", torch::tensor({progress.step, progress.epoch, progress.images,
                                           progress.loader.drawn, progress.loader.loads},
                                          torch::kInt64));
  archive.write("train_seconds",
                torch::tensor({progress.trainSeconds, progress.totalSeconds}, torch::kFloat64));
  archive.write("flops", torch::tensor({progress.flops}, torch::kFloat64));
  if (!progress.flopsByKind.empty())
    archive.write("flops_by_kind", torch::tensor(progress.flopsByKind, torch::kFloat64));
  archive.write("epochs", recordsToTensor(progress.epochs));
  archive.write("eval_points", recordsToTensor(progress.evalPoints));
  archive.write("evaluations", recordsToTensor(progress.evaluations));
  archive.write("loader.loaded", cpu(progress.loader.loadedIndices));
  archive.write("loader.echo", cpu(progress.loader.echoQueue));
  if (!progress.findings.empty()) {
    std::string names;
    std::vector<double> values;
    for (const auto& [name, value] : progress.findings) {
      names += (names.empty() ? "" : "\n") + name;
      values.push_back(value);
    }
    archive.write("findings.names", c10::IValue(names));
    archive.write("findings.values", torch::tensor(values, torch::kFloat64));
  }
  for (size_t i = 0; i < parts.methods.size(); ++i) {
    MethodState state;
    parts.methods[i]->saveState(state);
    std::string keys;
    for (const auto& [key, tensor] : state) {
      keys += (keys.empty() ? "" : "\n") + key;
      archive.write("method." + std::to_string(i) + "." + key, cpu(tensor));
    }
    archive.write("method." + std::to_string(i) + ".keys", c10::IValue(keys));
  }
  std::ostringstream payload;
  archive.save_to(payload);
  const std::string body = payload.str();

  std::string file(kMagic, kMagicSize);
  putU64(file, planFingerprint(parts.plan));
  putU64(file, body.size());
  putU64(file, checksum(body.data(), body.size()));
  file += body;
  if (!writeFileAtomically(path, file)) throw CheckpointError(path + ": cannot write");
}

namespace {

// The checkpoint's archive, after its header was checked against `plan`:
// magic, plan fingerprint, size and checksum.
std::string checkedPayload(const std::string& path, const plan::Plan& plan) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path + ": cannot open");
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < kHeaderSize)
    throw CheckpointError(path + ": truncated at byte " + std::to_string(file.size()) +
                          " (the header alone has " + std::to_string(kHeaderSize) + " bytes)");
  if (file.compare(0, kMagicSize, kMagic) != 0)
    throw CheckpointError(path + ": byte 0: not a FiveR checkpoint");
  if (getU64(file, kMagicSize) != planFingerprint(plan))
    throw CheckpointError(path + ": written for another plan; remove it or use the run folder "
                                 "of this plan");
  const uint64_t size = getU64(file, kMagicSize + 8);
  if (file.size() - kHeaderSize < size)
    throw CheckpointError(path + ": truncated at byte " + std::to_string(file.size()) +
                          " (expected " + std::to_string(kHeaderSize + size) + " bytes)");
  if (checksum(file.data() + kHeaderSize, size) != getU64(file, kMagicSize + 16))
    throw CheckpointError(path + ": bytes " + std::to_string(kHeaderSize) + " to " +
                          std::to_string(kHeaderSize + size) + " are corrupt (checksum mismatch)");
  return file.substr(kHeaderSize, size);
}

} // namespace

std::map<std::string, double> loadCheckpointFindings(const std::string& path,
                                                     const plan::Plan& plan) {
  std::istringstream payload(checkedPayload(path, plan));
  std::map<std::string, double> findings;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(payload, torch::kCPU);
    c10::IValue names;
    if (!archive.try_read("findings.names", names)) return findings; // none were saved
    torch::Tensor values;
    archive.read("findings.values", values);
    std::istringstream lines(names.toStringRef());
    int64_t i = 0;
    for (std::string name; std::getline(lines, name) && i < values.numel(); ++i)
      findings[name] = values[i].item<double>();
  } catch (const c10::Error& e) {
    throw CheckpointError(path + ": byte " + std::to_string(kHeaderSize) +
                          ": unreadable findings: " + e.what_without_backtrace());
  }
  return findings;
}

CheckpointProgress loadCheckpoint(const std::string& path, const CheckpointParts& parts) {
  const std::string body = checkedPayload(path, parts.plan);
  CheckpointProgress p;
  try {
    std::istringstream payload(body);
    torch::serialize::InputArchive archive;
    // Straight onto the model's device; the generator state stays on the CPU.
    archive.load_from(payload, parts.model->parameters().front().device());
    torch::serialize::InputArchive model, optimizer;
    archive.read("model", model);
    archive.read("optimizer", optimizer);
    parts.model->load(model);
    parts.optimizer.load(optimizer);
    torch::Tensor rng;
    archive.read("rng", rng);
    {
      at::Generator gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(rng.to(torch::kCPU));
    }
    torch::Tensor progress, seconds, epochs, loaded, echo;
    archive.read("progress", progress);
    archive.read("train_seconds", seconds);
    archive.read("epochs", epochs);
    archive.read("loader.loaded", loaded);
    archive.read("loader.echo", echo);
    p.step = progress[0].item<int64_t>();
    p.epoch = progress[1].item<int64_t>();
    p.images = progress[2].item<int64_t>();
    p.loader.drawn = progress[3].item<int64_t>();
    p.loader.loads = progress[4].item<int64_t>();
    p.loader.loadedIndices = loaded;
    p.loader.echoQueue = echo.numel() > 0 ? echo : torch::Tensor();
    p.trainSeconds = seconds[0].item<double>();
    // Checkpoints written before the total was saved hold the train time only.
    p.totalSeconds = seconds.numel() > 1 ? seconds[1].item<double>() : p.trainSeconds;
    torch::Tensor flops;
    if (archive.try_read("flops", flops)) p.flops = flops[0].item<double>();
    torch::Tensor byKind;
    if (archive.try_read("flops_by_kind", byKind))
      for (int64_t k = 0; k < byKind.numel(); ++k)
        p.flopsByKind.push_back(byKind[k].item<double>());
    p.epochs = recordsFromTensor<EpochResult>(epochs);
    // Checkpoints written before evaluation points were saved have none.
    torch::Tensor evalPoints;
    if (archive.try_read("eval_points", evalPoints))
      p.evalPoints = recordsFromTensor<EvalPoint>(evalPoints);
    torch::Tensor evaluations;
    if (archive.try_read("evaluations", evaluations)) {
      p.evaluations = recordsFromTensor<EvalPoint>(evaluations);
    } else {
      // Older checkpoints: the evaluations between epoch ends and the
      // evaluated epoch ends, in train-time order; an epoch end's step as the
      // plan counts it, and none twice.
      p.evaluations = p.evalPoints;
      const int64_t perEpoch = std::max<int64_t>(1, parts.plan.training.stepsPerEpoch);
      for (const EpochResult& e : p.epochs) {
        const int64_t step = std::min(e.epoch * perEpoch, p.step);
        const bool evaluated = e.accuracy > 0 || e.loss > 0;
        const bool seen = std::any_of(p.evalPoints.begin(), p.evalPoints.end(),
                                      [&](const EvalPoint& q) { return q.step == step; });
        if (evaluated && !seen)
          p.evaluations.push_back({step, static_cast<double>(e.epoch), e.accuracy, e.trainSeconds});
      }
      std::stable_sort(
          p.evaluations.begin(), p.evaluations.end(),
          [](const EvalPoint& a, const EvalPoint& b) { return a.trainSeconds < b.trainSeconds; });
    }
    for (size_t i = 0; i < parts.methods.size(); ++i) {
      c10::IValue keys;
      archive.read("method." + std::to_string(i) + ".keys", keys);
      MethodState state;
      std::istringstream names(keys.toStringRef());
      for (std::string key; std::getline(names, key);) {
        torch::Tensor t;
        archive.read("method." + std::to_string(i) + "." + key, t);
        state[key] = t;
      }
      if (!state.empty()) parts.methods[i]->loadState(state);
    }
  } catch (const c10::Error& e) {
    throw CheckpointError(path + ": byte " + std::to_string(kHeaderSize) +
                          ": the payload does not fit this plan: " + e.what_without_backtrace());
  }
  return p;
}

} // namespace fiver::runtime
