#include "runtime/export/ReferenceOutputs.h"

#include "compiler/support/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace fiver::runtime {

namespace {

// The model's logits for every example, in the run's evaluation batches.
torch::Tensor logitsOf(PlanModel& model, const torch::Tensor& inputs, int64_t batch) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < inputs.size(0); start += batch)
    parts.push_back(model->forward(inputs.narrow(0, start, std::min(batch, inputs.size(0) - start)))
                        .to(torch::kFloat32));
  return torch::cat(parts);
}

// The same model with every op in fp32 and NCHW, holding the same weights.
PlanModel fp32Twin(const plan::Plan& plan, PlanModel& model) {
  std::vector<plan::Op> ops = plan.ops;
  for (plan::Op& op : ops) {
    op.dtype = "fp32";
    op.memoryFormat = "contiguous";
  }
  PlanModel twin(ops);
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> from = model->stateTensors(), to = twin->stateTensors();
  // Layers narrowed during training (channel_pruning) hold fewer channels
  // than the plan says: the twin takes their shapes too.
  for (size_t i = 0; i < to.size(); ++i) {
    if (to[i].sizes() == from[i].sizes())
      to[i].copy_(from[i]);
    else
      to[i].set_data(from[i].detach().to(to[i].dtype()).contiguous().clone());
  }
  for (const plan::Op& op : plan.ops)
    if (model->isFolded(op.name)) twin->foldBatchNorm(op.name);
  twin->eval();
  return twin;
}

double accuracyOf(const torch::Tensor& logits, const torch::Tensor& labels) {
  const torch::Tensor predicted = logits.argmax(-1);
  return predicted.eq(labels).to(torch::kFloat64).mean().item<double>();
}

void writeRaw(const std::string& path, const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  const std::string bytes(static_cast<const char*>(c.data_ptr()),
                          static_cast<size_t>(c.numel()) * c.element_size());
  if (!writeFileAtomically(path, bytes)) throw std::runtime_error(path + ": cannot write");
}

const char* dtypeName(const torch::Tensor& t) {
  return t.scalar_type() == torch::kInt64 ? "int64" : "float32";
}

} // namespace

ReferenceSummary writeReferenceOutputs(const plan::Plan& plan, PlanModel& model, const Split& test,
                                       int64_t examples, const std::string& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw std::runtime_error(folder + ": cannot create: " + ec.message());
  const int64_t n = std::clamp<int64_t>(examples, 0, test.size());
  torch::Tensor inputs = test.images.narrow(0, 0, n).to(torch::kCPU).contiguous();
  if (inputs.is_floating_point()) inputs = inputs.to(torch::kFloat32);
  const torch::Tensor labels = test.labels.narrow(0, 0, n).to(torch::kCPU, torch::kInt64);
  const int64_t batch = std::max<int64_t>(1, plan.training.evalBatchSize);
  const torch::Tensor runLogits = logitsOf(model, inputs, batch);
  const bool mixed = std::any_of(plan.ops.begin(), plan.ops.end(),
                                 [](const plan::Op& op) { return op.dtype != "fp32"; });
  PlanModel twin = mixed ? fp32Twin(plan, model) : model;
  const torch::Tensor logits = mixed ? logitsOf(twin, inputs, batch) : runLogits;

  ReferenceSummary summary{n, accuracyOf(runLogits, labels), accuracyOf(logits, labels),
                           (logits - runLogits).abs().max().item<double>()};
  writeRaw(folder + "/input.bin", inputs);
  writeRaw(folder + "/labels.bin", labels);
  writeRaw(folder + "/logits.bin", logits);
  writeRaw(folder + "/run_logits.bin", runLogits);
  nlohmann::json index = {
      {"recipe", plan.recipe},
      {"examples", n},
      {"input",
       {{"file", "input.bin"}, {"dtype", dtypeName(inputs)}, {"shape", inputs.sizes().vec()}}},
      {"labels", {{"file", "labels.bin"}, {"dtype", "int64"}, {"shape", labels.sizes().vec()}}},
      {"logits", {{"file", "logits.bin"}, {"dtype", "float32"}, {"shape", logits.sizes().vec()}}},
      {"run_logits",
       {{"file", "run_logits.bin"}, {"dtype", "float32"}, {"shape", runLogits.sizes().vec()}}},
      {"accuracy", summary.accuracy},
      {"run_accuracy", summary.runAccuracy},
      {"run_computes_in_fp32", !mixed},
  };
  if (!writeFileAtomically(folder + "/reference.json", index.dump(2) + "\n"))
    throw std::runtime_error(folder + "/reference.json: cannot write");
  return summary;
}

} // namespace fiver::runtime
