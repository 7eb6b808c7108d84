#include "runtime/kernels/CudaFusedKernel.h"

#include "runtime/TorchCompat.h"
#include "runtime/kernels/CudaToolchain.h"

namespace fiver::kernels {

namespace {

std::optional<ElementType> elementType(torch::ScalarType t, std::string& name) {
  switch (t) {
  case torch::kFloat:
    name = "fp32";
    return ElementType::Fp32;
  case torch::kBFloat16:
    name = "bf16";
    return ElementType::Bf16;
  case torch::kHalf:
    name = "fp16";
    return ElementType::Fp16;
  default:
    return std::nullopt;
  }
}

} // namespace

std::optional<torch::Tensor> runCudaFused(const Node& expr,
                                          const std::vector<torch::Tensor>& inputs,
                                          const std::vector<torch::Tensor>& params,
                                          std::string& why) {
  // Backward passes undefined tensors for inputs it does not read.
  const torch::Tensor* reference = nullptr;
  for (const torch::Tensor& t : inputs)
    if (t.defined() && !reference) reference = &t;
  if (!reference || !reference->is_cuda()) return why = "inputs are not on CUDA", std::nullopt;
  const torch::Tensor& first = *reference;
  const bool channelsLast = first.dim() == 4 && !first.is_contiguous() &&
                            first.is_contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::MemoryFormat format =
      channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  std::string dtypeName;
  std::optional<ElementType> type = elementType(first.scalar_type(), dtypeName);
  if (!type) return why = "unsupported dtype", std::nullopt;
  for (const torch::Tensor& t : inputs)
    if (t.defined() && (!t.is_cuda() || t.sizes() != first.sizes() ||
                        t.scalar_type() != first.scalar_type() || !t.is_contiguous(format)))
      return why = "inputs differ in device, shape, dtype or memory format", std::nullopt;
  if (expr.kind == Node::Kind::Call &&
      (expr.op == OpCode::CastFp32 || expr.op == OpCode::CastBf16 || expr.op == OpCode::CastFp16))
    return why = "output dtype differs from the inputs'", std::nullopt;

  CudaToolchain& tc = CudaToolchain::instance();
  if (!tc.available()) return why = tc.why(), std::nullopt;
  try {
    std::lock_guard lock(tc.mutex());
    const int64_t channels = first.dim() >= 2 ? first.size(1) : 1;
    const int64_t inner = format == torch::MemoryFormat::ChannelsLast || first.dim() < 3
                              ? 1
                              : first.numel() / std::max<int64_t>(1, first.size(0) * channels);
    CudaLauncher::Kernel kernel = tc.kernel(printExpr(expr), dtypeName, [&] {
      return generateCudaKernel(expr, static_cast<int>(inputs.size()),
                                static_cast<int>(params.size()), *type);
    });
    torch::Tensor out = torch::empty_like(first, format);
    std::vector<torch::Tensor> floatParams;
    for (const torch::Tensor& p : params)
      floatParams.push_back(p.to(first.device(), torch::kFloat).contiguous());
    long long n = first.numel(), ch = channels, in = inner;
    bool aligned = n % 4 == 0;
    // The kernel takes the inputs and parameters its expression names, however
    // many the caller holds (backward passes them all).
    const size_t inputsNamed = static_cast<size_t>(inputCount(expr));
    const size_t paramsNamed = static_cast<size_t>(paramCount(expr));
    if (inputsNamed > inputs.size() || paramsNamed > params.size())
      throw std::invalid_argument("the expression names more inputs or parameters than given");
    std::vector<void*> pointers{out.data_ptr()};
    for (size_t i = 0; i < inputsNamed; ++i)
      pointers.push_back(inputs[i].defined() ? inputs[i].data_ptr() : nullptr);
    // Vector loads need out and every input aligned; parameters are read per element.
    for (void* p : pointers)
      aligned = aligned && reinterpret_cast<uintptr_t>(p) % 16 == 0;
    for (size_t k = 0; k < paramsNamed; ++k)
      pointers.push_back(floatParams[k].data_ptr());
    int vectorized = aligned ? 1 : 0;
    std::vector<void*> args;
    for (void*& p : pointers)
      args.push_back(&p);
    args.push_back(&n);
    args.push_back(&ch);
    args.push_back(&in);
    args.push_back(&vectorized);
    tc.driver().launch(kernel, n, torchcompat::currentCudaStream(first.device()), args);
    return out;
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
}

} // namespace fiver::kernels
