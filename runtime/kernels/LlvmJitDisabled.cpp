// Built when LLVM 14 is not found: every CPU kernel request fails, fused
// ops run eagerly and optimizers take their unfused step.
#include "runtime/kernels/CpuOptimizerKernel.h"
#include "runtime/kernels/LlvmJit.h"

#include <stdexcept>

namespace fiver::kernels {

struct LlvmJit::State {};

LlvmJit::LlvmJit() {
  throw std::runtime_error("this build has no LLVM CPU kernel JIT");
}
LlvmJit::~LlvmJit() = default;
CpuKernelFn LlvmJit::compile(const Node&, int, int) {
  return nullptr;
}
std::string LlvmJit::compileObject(const Node&, int, int, const std::string&) {
  return {};
}
CpuKernelFn LlvmJit::loadObject(const std::string&, const std::string&) {
  return nullptr;
}
void* LlvmJit::compileModule(const std::string&, const ModuleEmitter&) {
  return nullptr;
}
std::string LlvmJit::targetDescription() const {
  return "none";
}
std::string LlvmJit::hostTarget() const {
  return "none";
}
std::string LlvmJit::compilerVersion() {
  return "none";
}

CpuOptimizerFn compileCpuOptimizer(LlvmJit&, const CpuOptimizerSpec&) {
  throw std::runtime_error("this build has no LLVM CPU kernel JIT");
}

} // namespace fiver::kernels
