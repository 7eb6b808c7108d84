#include "runtime/metrics/TensorMemory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace fiver::runtime {

namespace {

// Each block starts with a header holding its size, so that freeing needs
// no lookup: LibTorch frees CPU blocks through a raw deleter that sees only
// the pointer. 64 bytes keep the data at LibTorch's 64-byte alignment.
constexpr size_t kHeader = 64;

std::atomic<int64_t> gHeld{0};
std::atomic<int64_t> gPeak{0};
std::atomic<bool> gInstalled{false};
std::mutex gStepsMutex;
StepMemory gStepOpen;
StepMemory gLargest;

void raisePeak(int64_t held) {
  int64_t peak = gPeak.load(std::memory_order_relaxed);
  while (held > peak && !gPeak.compare_exchange_weak(peak, held, std::memory_order_relaxed)) {
  }
}

void freeCounted(void* data) {
  if (!data) return;
  char* block = static_cast<char*>(data) - kHeader;
  const size_t bytes = *reinterpret_cast<size_t*>(block);
  gHeld.fetch_sub(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  c10::free_cpu(block);
}

class CountingCpuAllocator final : public c10::Allocator {
public:
  c10::DataPtr allocate(size_t bytes) const override {
    if (bytes == 0) return {nullptr, nullptr, &freeCounted, c10::Device(c10::DeviceType::CPU)};
    char* block = static_cast<char*>(c10::alloc_cpu(bytes + kHeader));
    *reinterpret_cast<size_t*>(block) = bytes;
    raisePeak(gHeld.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed) +
              static_cast<int64_t>(bytes));
    void* data = block + kHeader;
    return {data, data, &freeCounted, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &freeCounted; }
};

} // namespace

void countTensorMemory() {
  static CountingCpuAllocator allocator;
  static std::once_flag once;
  std::call_once(once, [] {
    // Priority above the default allocator's (0), so that LibTorch keeps it.
    c10::SetCPUAllocator(&allocator, /*priority=*/1);
    gInstalled = true;
  });
}

bool tensorMemoryCounted() {
  return gInstalled.load();
}

int64_t tensorBytesNow() {
  return gHeld.load(std::memory_order_relaxed);
}

void startStepMemory() {
  const int64_t held = tensorBytesNow();
  gPeak.store(held, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(gStepsMutex);
  gStepOpen = {held, held};
}

StepMemory endStepMemory() {
  std::lock_guard<std::mutex> lock(gStepsMutex);
  StepMemory step = gStepOpen;
  step.peakBytes = std::max(step.restingBytes, gPeak.load(std::memory_order_relaxed));
  if (step.peakBytes > gLargest.peakBytes) gLargest = step;
  return step;
}

StepMemory largestStepMemory() {
  std::lock_guard<std::mutex> lock(gStepsMutex);
  return gLargest;
}

void resetLargestStepMemory() {
  std::lock_guard<std::mutex> lock(gStepsMutex);
  gLargest = {};
}

} // namespace fiver::runtime
