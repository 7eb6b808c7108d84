#include "runtime/kernels/CpuFusedOptimizer.h"
#include "runtime/kernels/KernelStats.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>

namespace fiver::kernels {

namespace {

struct OptimizerJit {
  OptimizerJit() {
    try {
      jit = std::make_unique<LlvmJit>();
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  std::unique_ptr<LlvmJit> jit;
  std::string why;
  std::mutex mutex;
  std::map<std::string, CpuOptimizerFn> kernels; // by spec key
};

OptimizerJit& optimizerJit() {
  static OptimizerJit state;
  return state;
}

} // namespace

void OptimizerStepTable::add(const std::vector<torch::Tensor>& tensors, float perTensor0,
                             float perTensor1) {
  TORCH_CHECK(static_cast<int>(tensors.size()) == slots_, "optimizer step table: expected ", slots_,
              " tensors per parameter, got ", tensors.size());
  for (const torch::Tensor& t : tensors)
    pointers_.push_back(t.numel() > 0 ? t.data_ptr<float>() : nullptr);
  starts_.push_back(starts_.back() + tensors.front().numel());
  perTensor_.push_back(perTensor0);
  perTensor_.push_back(perTensor1);
}

std::string denseLayoutMismatch(const torch::Tensor& param, const torch::Tensor& other) {
  if (!other.defined()) return "a tensor is undefined";
  if (param.is_sparse() || other.is_sparse()) return "sparse tensors";
  if (param.scalar_type() != torch::kFloat || other.scalar_type() != torch::kFloat)
    return "tensors are not fp32";
  if (other.device() != param.device()) return "tensors on different devices";
  if (other.sizes() != param.sizes())
    return "a gradient or state tensor is laid out unlike its parameter";
  // Strides of size-1 dimensions do not change where elements lie: a 1x1
  // convolution's channels-last weight and its cuDNN gradient differ only there.
  for (int64_t d = 0; d < param.dim(); ++d)
    if (param.size(d) > 1 && other.stride(d) != param.stride(d))
      return "a gradient or state tensor is laid out unlike its parameter";
  if (!param.is_non_overlapping_and_dense()) return "a parameter is not dense in memory";
  return "";
}

CpuOptimizerFn cpuOptimizerKernel(const CpuOptimizerSpec& spec, std::string& why) {
  OptimizerJit& s = optimizerJit();
  if (!s.jit) return why = s.why, nullptr;
  std::lock_guard lock(s.mutex);
  const std::string key = spec.key();
  auto it = s.kernels.find(key);
  if (it != s.kernels.end()) return it->second;
  try {
    auto start = std::chrono::steady_clock::now();
    CpuOptimizerFn fn = compileCpuOptimizer(*s.jit, spec);
    // Reported in the run's `kernels:` line and summary; compiled per process.
    CacheResult compiled;
    compiled.compileSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    recordKernel("cpu_optimizer", compiled);
    return s.kernels.emplace(key, fn).first->second;
  } catch (const std::exception& e) {
    return why = std::string("compiling the CPU optimizer kernel failed: ") + e.what(), nullptr;
  }
}

void runCpuOptimizer(CpuOptimizerFn kernel, const OptimizerStepTable& table,
                     const std::vector<float>& scalars) {
  if (table.total() == 0) return;
  // Large grains keep each task streaming through memory; a chunk may span
  // many small tensors.
  at::parallel_for(0, table.total(), 1 << 15, [&](int64_t begin, int64_t end) {
    kernel(table.tensors(), table.starts(), table.perTensor(), scalars.data(), table.count(), begin,
           end);
  });
}

} // namespace fiver::kernels
