#include "runtime/kernels/CachedCpuJit.h"

#include "runtime/kernels/KernelStats.h"

namespace fiver::kernels {

namespace {

// The arity changes the kernel's argument unpacking, so it is part of the
// expression's identity.
std::string exprKey(const Node& expr, int inputs, int params) {
  return printExpr(expr) + " inputs=" + std::to_string(inputs) +
         " params=" + std::to_string(params);
}

} // namespace

CachedCpuJit::CachedCpuJit(std::filesystem::path directory)
    : cache_(std::move(directory)), target_(jit_.hostTarget()) {}

KernelKey CachedCpuJit::keyFor(const Node& expr, int inputs, int params) const {
  return {exprKey(expr, inputs, params), "cpu", "fp32", target_, LlvmJit::compilerVersion()};
}

CachedCpuJit::Kernel CachedCpuJit::get(const Node& expr, int inputs, int params) {
  std::lock_guard lock(mutex_);
  const std::string id = exprKey(expr, inputs, params);
  Kernel k;
  if (auto it = loaded_.find(id); it != loaded_.end()) {
    k.fn = it->second;
    return k;
  }
  const KernelKey key = keyFor(expr, inputs, params);
  // Named after the key, so objects from different runs never clash in one JIT.
  const std::string symbol = "fiver_fused_" + key.hash();
  CacheResult r =
      cache_.getOrCompile(key, [&] { return jit_.compileObject(expr, inputs, params, symbol); });
  k.fn = jit_.loadObject(r.binary, symbol);
  k.source = r.source;
  k.compileSeconds = r.compileSeconds;
  k.note = r.note;
  recordKernel("cpu", r);
  loaded_.emplace(id, k.fn);
  return k;
}

} // namespace fiver::kernels
