#include "runtime/kernels/CudaSource.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace fiver::kernels {

namespace {

const char* storageType(ElementType t) {
  switch (t) {
  case ElementType::Fp32:
    return "float";
  case ElementType::Bf16:
    return "unsigned short";
  case ElementType::Fp16:
    return "unsigned short";
  }
  return "float";
}

// Conversions are written out so the source needs no CUDA headers (NVRTC
// then compiles without include paths).
const char* kPrelude = R"(
__device__ __forceinline__ float fv_bf16_to_f(unsigned short h) { return __uint_as_float(((unsigned)h) << 16); }
__device__ __forceinline__ unsigned short fv_f_to_bf16(float f) {
  unsigned u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (unsigned short)(u >> 16);
}
__device__ __forceinline__ float fv_f16_to_f(unsigned short h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
__device__ __forceinline__ unsigned short fv_f_to_f16(float f) { unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
__device__ __forceinline__ float fv_gelu(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
__device__ __forceinline__ float fv_sigmoid(float x) { return 1.0f / (1.0f + __expf(-x)); }
)";

std::string loadExpr(ElementType t, const std::string& ptr, const std::string& index) {
  std::string v = ptr + "[" + index + "]";
  switch (t) {
  case ElementType::Fp32:
    return v;
  case ElementType::Bf16:
    return "fv_bf16_to_f(" + v + ")";
  case ElementType::Fp16:
    return "fv_f16_to_f(" + v + ")";
  }
  return v;
}

std::string storeExpr(ElementType t, const std::string& value) {
  switch (t) {
  case ElementType::Fp32:
    return value;
  case ElementType::Bf16:
    return "fv_f_to_bf16(" + value + ")";
  case ElementType::Fp16:
    return "fv_f_to_f16(" + value + ")";
  }
  return value;
}

std::string literal(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return "(" + s + "f)";
}

// Emits one statement per node into `body`; returns the variable holding it.
class Emitter {
public:
  // With a lane, inputs are read from the registers the vector load filled.
  Emitter(ElementType type, std::string& body, int lane = -1)
      : type_(type), body_(body), lane_(lane) {}

  std::string emit(const Node& n, const std::string& index) {
    std::string rhs;
    switch (n.kind) {
    case Node::Kind::Number:
      return literal(n.value);
    case Node::Kind::Input:
      rhs = lane_ < 0
                ? loadExpr(type_, "in" + std::to_string(n.index), index)
                : loadExpr(type_, "in" + std::to_string(n.index) + "_l", std::to_string(lane_));
      break;
    case Node::Kind::Param:
      rhs = "p" + std::to_string(n.index) + "[(" + index + " / inner) % channels]";
      break;
    case Node::Kind::Call:
      rhs = call(n, index);
      break;
    }
    std::string var = "v" + std::to_string(next_++);
    body_ += "      float " + var + " = " + rhs + ";\n";
    return var;
  }

private:
  std::string call(const Node& n, const std::string& index) {
    std::vector<std::string> a;
    for (const NodePtr& arg : n.args)
      a.push_back(emit(*arg, index));
    switch (n.op) {
    case OpCode::Add:
      return a[0] + " + " + a[1];
    case OpCode::Sub:
      return a[0] + " - " + a[1];
    case OpCode::Mul:
      return a[0] + " * " + a[1];
    case OpCode::Div:
      return a[0] + " / " + a[1];
    case OpCode::Max:
      return "fmaxf(" + a[0] + ", " + a[1] + ")";
    case OpCode::Min:
      return "fminf(" + a[0] + ", " + a[1] + ")";
    case OpCode::Neg:
      return "-" + a[0];
    case OpCode::Relu:
      return "fmaxf(" + a[0] + ", 0.0f)";
    case OpCode::Gelu:
      return "fv_gelu(" + a[0] + ")";
    case OpCode::Silu:
      return a[0] + " * fv_sigmoid(" + a[0] + ")";
    case OpCode::Sigmoid:
      return "fv_sigmoid(" + a[0] + ")";
    case OpCode::Tanh:
      return "tanhf(" + a[0] + ")";
    case OpCode::Exp:
      return "expf(" + a[0] + ")";
    case OpCode::Log:
      return "logf(" + a[0] + ")";
    case OpCode::Sqrt:
      return "sqrtf(" + a[0] + ")";
    case OpCode::Rsqrt:
      return "rsqrtf(" + a[0] + ")";
    case OpCode::Erf:
      return "erff(" + a[0] + ")";
    case OpCode::Where:
      return a[0] + " > 0.0f ? " + a[1] + " : " + a[2];
    case OpCode::CastFp32:
      return a[0];
    case OpCode::CastBf16:
      return "fv_bf16_to_f(fv_f_to_bf16(" + a[0] + "))";
    case OpCode::CastFp16:
      return "fv_f16_to_f(fv_f_to_f16(" + a[0] + "))";
    }
    throw std::logic_error("unhandled op");
  }

  ElementType type_;
  std::string& body_;
  int lane_;
  int next_ = 0;
};

void markInputsRead(const Node& n, std::vector<bool>& read) {
  if (n.kind == Node::Kind::Input && n.index >= 0 && static_cast<size_t>(n.index) < read.size())
    read[static_cast<size_t>(n.index)] = true;
  for (const NodePtr& arg : n.args)
    markInputsRead(*arg, read);
}

} // namespace

CudaKernelSource generateCudaKernel(const Node& expr, int inputs, int params, ElementType type) {
  // The signature has exactly the inputs and parameters the expression names,
  // so that a kernel is identified by its expression alone (the kernel cache's
  // key); callers pass the pointers of those.
  if (inputs < inputCount(expr) || params < paramCount(expr))
    throw std::invalid_argument("the expression names more inputs or parameters than given");
  inputs = inputCount(expr);
  params = paramCount(expr);
  const std::string elem = storageType(type);
  CudaKernelSource k;
  k.name = "fiver_fused";
  std::string sig = "extern \"C\" __global__ void " + k.name + "(" + elem + "* __restrict__ out";
  for (int i = 0; i < inputs; ++i)
    sig += ", const " + elem + "* __restrict__ in" + std::to_string(i);
  for (int p = 0; p < params; ++p)
    sig += ", const float* __restrict__ p" + std::to_string(p);
  sig += ", long long n, long long channels, long long inner, int vectorized)";

  std::string scalarBody, vectorBody;
  {
    Emitter e(type, scalarBody);
    std::string v = e.emit(expr, "i");
    scalarBody += "      out[i] = " + storeExpr(type, v) + ";\n";
  }
  // The vector path loads four consecutive elements per input as one
  // transaction (float4 / two 32-bit words for 16-bit types), then runs the
  // scalar expression on each lane.
  std::string lanes;
  const int width = 4;
  for (int lane = 0; lane < width; ++lane) {
    std::string body;
    Emitter e(type, body, lane);
    std::string idx = "(i + " + std::to_string(lane) + ")";
    std::string v = e.emit(expr, idx);
    lanes += "    {\n" + body + "      r[" + std::to_string(lane) + "] = " + storeExpr(type, v) +
             ";\n    }\n";
  }
  const std::string vecType = type == ElementType::Fp32 ? "float4" : "uint2";
  // Only the inputs the expression reads are loaded: backward passes null
  // pointers for inputs it did not keep.
  std::vector<bool> read(static_cast<size_t>(std::max(inputs, 0)), false);
  markInputsRead(expr, read);
  std::string loads;
  for (int i = 0; i < inputs; ++i) {
    if (!read[static_cast<size_t>(i)]) continue;
    std::string in = "in" + std::to_string(i);
    loads += "      __align__(16) " + elem + " " + in + "_l[4];\n      *reinterpret_cast<" +
             vecType + "*>(" + in + "_l) = *reinterpret_cast<const " + vecType + "*>(" + in +
             " + i);\n";
  }

  k.source = std::string(kPrelude) + sig + " {\n" +
             "  long long stride = (long long)blockDim.x * gridDim.x;\n"
             "  long long start = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
             "  if (vectorized) {\n"
             "    for (long long i = start * 4; i < n; i += stride * 4) {\n"
             "      __align__(16) " +
             elem + " r[4];\n" + loads + lanes + "      *reinterpret_cast<" + vecType +
             "*>(out + i) = *reinterpret_cast<" + vecType +
             "*>(r);\n"
             "    }\n"
             "    return;\n"
             "  }\n"
             "  for (long long i = start; i < n; i += stride) {\n" +
             scalarBody + "  }\n}\n";
  return k;
}

} // namespace fiver::kernels
