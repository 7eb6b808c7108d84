#include "runtime/kernels/CudaFusedOptimizer.h"

#include "runtime/TorchCompat.h"
#include "runtime/kernels/CudaToolchain.h"
#include "runtime/kernels/FusedOptimizerSource.h"

#include <mutex>

namespace fiver::kernels {

namespace {

CudaLauncher::Kernel kernelFor(CudaToolchain& tc, FusedOptimizerKind kind) {
  const CudaKernelSource src = generateFusedOptimizer(kind);
  return tc.kernel(src.name, "fp32", [&] { return src; });
}

// The device-side tables a kernel reads: per slot an array of pointers, and
// the prefix sums of the tensors' sizes.
struct DeviceTables {
  DeviceTables(const std::vector<std::vector<torch::Tensor>>& entries, size_t slots)
      : device(entries.front().front().device()) {
    std::vector<int64_t> starts{0};
    for (const auto& e : entries)
      starts.push_back(starts.back() + e.front().numel());
    total = starts.back();
    for (size_t s = 0; s < slots; ++s) {
      std::vector<int64_t> addresses;
      for (const auto& e : entries)
        addresses.push_back(reinterpret_cast<int64_t>(e.at(s).data_ptr()));
      pointerTables.push_back(torch::tensor(addresses, torch::kLong).to(device));
      pointers.push_back(pointerTables.back().data_ptr());
    }
    startTable = torch::tensor(starts, torch::kLong).to(device);
    startsPointer = startTable.data_ptr();
    count = static_cast<int>(entries.size());
  }
  torch::Device device;
  std::vector<torch::Tensor> pointerTables;
  std::vector<void*> pointers;
  torch::Tensor startTable;
  void* startsPointer = nullptr;
  int count = 0;
  int64_t total = 0;
};

} // namespace

bool cudaFusedOptimizerAvailable(std::string& why) {
  CudaToolchain& tc = CudaToolchain::instance();
  if (tc.available()) return true;
  why = tc.why();
  return false;
}

void runCudaSgd(const std::vector<std::vector<torch::Tensor>>& entries, const CudaSgdStep& step) {
  if (entries.empty()) return;
  CudaToolchain& tc = CudaToolchain::instance();
  TORCH_CHECK(tc.available(), tc.why());
  std::lock_guard lock(tc.mutex());
  CudaLauncher::Kernel kernel = kernelFor(tc, FusedOptimizerKind::Sgd);
  // Without momentum the kernel never touches its buffer table.
  const size_t slots = step.momentum != 0 ? 3 : 2;
  DeviceTables t(entries, slots);
  void* buffers = slots == 3 ? t.pointers[2] : t.pointers[0];
  float lr = static_cast<float>(step.lr), momentum = static_cast<float>(step.momentum),
        decay = static_cast<float>(step.weightDecay);
  int nesterov = step.nesterov ? 1 : 0;
  tc.driver().launch(kernel, t.total, torchcompat::currentCudaStream(t.device),
                     {&t.pointers[0], &t.pointers[1], &buffers, &t.startsPointer, &t.count, &lr,
                      &momentum, &decay, &nesterov});
}

void runCudaAdamW(const std::vector<std::vector<torch::Tensor>>& entries,
                  const CudaAdamWStep& step) {
  if (entries.empty()) return;
  CudaToolchain& tc = CudaToolchain::instance();
  TORCH_CHECK(tc.available(), tc.why());
  std::lock_guard lock(tc.mutex());
  CudaLauncher::Kernel kernel = kernelFor(tc, FusedOptimizerKind::AdamW);
  DeviceTables t(entries, 4);
  // 1 - beta in double, as torch::optim::AdamW computes it (1 - 0.999f is
  // 1.3e-5 off 0.001).
  float oneMinusBeta1 = static_cast<float>(1 - step.beta1),
        oneMinusBeta2 = static_cast<float>(1 - step.beta2);
  float lr = static_cast<float>(step.lr), beta1 = static_cast<float>(step.beta1),
        beta2 = static_cast<float>(step.beta2), eps = static_cast<float>(step.eps),
        decay = static_cast<float>(step.weightDecay),
        correction1 = static_cast<float>(step.biasCorrection1),
        correction2 = static_cast<float>(step.biasCorrection2);
  tc.driver().launch(kernel, t.total, torchcompat::currentCudaStream(t.device),
                     {&t.pointers[0], &t.pointers[1], &t.pointers[2], &t.pointers[3],
                      &t.startsPointer, &t.count, &lr, &beta1, &beta2, &eps, &decay, &correction1,
                      &correction2, &oneMinusBeta1, &oneMinusBeta2});
}

} // namespace fiver::kernels
