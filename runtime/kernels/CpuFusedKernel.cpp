#include "runtime/kernels/CpuFusedKernel.h"

#include "runtime/kernels/CachedCpuJit.h"

#include <memory>

namespace fiver::kernels {

namespace {

struct CpuJit {
  CpuJit() {
    try {
      jit = std::make_unique<CachedCpuJit>();
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  std::unique_ptr<CachedCpuJit> jit;
  std::string why;
};

CpuJit& cpuJit() {
  static CpuJit state;
  return state;
}

CpuKernelFn kernelFor(const Node& expr, int inputs, int params) {
  CpuJit& s = cpuJit();
  if (!s.jit) throw std::runtime_error(s.why);
  CachedCpuJit::Kernel k = s.jit->get(expr, inputs, params);
  if (!k.note.empty()) LOG(WARNING) << k.note;
  return k.fn;
}

} // namespace

std::optional<torch::Tensor> runCpuFused(const Node& expr, const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params,
                                         std::string& why) {
  return runCpuFused(expr, inputs, params, why, torch::Tensor());
}

std::optional<torch::Tensor> runCpuFused(const Node& expr, const std::vector<torch::Tensor>& inputs,
                                         const std::vector<torch::Tensor>& params, std::string& why,
                                         torch::Tensor out) {
  const torch::Tensor* reference = nullptr;
  for (const torch::Tensor& t : inputs)
    if (t.defined() && !reference) reference = &t;
  if (!reference || !reference->device().is_cpu())
    return why = "inputs are not on CPU", std::nullopt;
  const torch::Tensor& first = *reference;
  const bool channelsLast = first.dim() == 4 && !first.is_contiguous() &&
                            first.is_contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::MemoryFormat format =
      channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  for (const torch::Tensor& t : inputs)
    if (t.defined() && (t.scalar_type() != torch::kFloat || t.sizes() != first.sizes() ||
                        !t.is_contiguous(format)))
      return why = "inputs are not fp32 tensors of one shape, contiguous or channels-last",
             std::nullopt;
  if (expr.kind == Node::Kind::Call && (expr.op == OpCode::CastBf16 || expr.op == OpCode::CastFp16))
    return why = "output dtype differs from the inputs'", std::nullopt;
  for (const torch::Tensor& p : params)
    if (p.dim() != 1 || (first.dim() >= 2 && p.numel() != first.size(1)))
      return why = "parameters are not per-channel vectors", std::nullopt;

  CpuKernelFn fn = nullptr;
  try {
    fn = kernelFor(expr, static_cast<int>(inputs.size()), static_cast<int>(params.size()));
  } catch (const std::exception& e) {
    return why = std::string("compiling the CPU kernel failed: ") + e.what(), std::nullopt;
  }
  const int64_t channels = first.dim() >= 2 ? first.size(1) : 1;
  const int64_t inner = channelsLast || first.dim() < 3
                            ? 1
                            : first.numel() / std::max<int64_t>(1, first.size(0) * channels);
  if (!out.defined())
    out = torch::empty_like(first, format);
  else if (out.scalar_type() != torch::kFloat || out.sizes() != first.sizes() ||
           !out.is_contiguous(format))
    return why = "the output tensor does not match the inputs", std::nullopt;
  std::vector<const float*> in;
  for (const torch::Tensor& t : inputs)
    in.push_back(t.defined() ? t.data_ptr<float>() : nullptr);
  std::vector<torch::Tensor> floatParams;
  std::vector<const float*> ps;
  for (const torch::Tensor& p : params) {
    floatParams.push_back(p.to(torch::kFloat).contiguous());
    ps.push_back(floatParams.back().data_ptr<float>());
  }
  float* o = out.data_ptr<float>();
  at::parallel_for(0, first.numel(), kCpuFusedGrain, [&](int64_t begin, int64_t end) {
    fn(o, in.data(), ps.data(), begin, end, channels, inner);
  });
  return out;
}

} // namespace fiver::kernels
