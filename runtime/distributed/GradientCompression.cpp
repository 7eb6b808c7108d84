#include "runtime/distributed/GradientCompression.h"

#include "runtime/train/Collectives.h"

#include <ATen/CPUGeneratorImpl.h>

namespace fiver::runtime::distributed {

namespace {

const void* keyOf(const torch::Tensor& parameter) {
  return parameter.unsafeGetTensorImpl();
}

bool distributed(const TrainState& s) {
  return s.collectives && s.collectives->size() > 1;
}

torch::Tensor bitWeights(const torch::Device& device) {
  return torch::tensor({1, 2, 4, 8, 16, 32, 64, 128},
                       torch::TensorOptions(torch::kUInt8).device(device));
}

} // namespace

std::vector<torch::Tensor> gradientsToReduce(TrainState& s) {
  std::vector<torch::Tensor> grads;
  for (torch::Tensor& p : s.model->parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  return grads;
}

torch::Tensor packSigns(const torch::Tensor& x) {
  torch::Tensor bits = x.reshape({-1}).ge(0).to(torch::kUInt8);
  const int64_t padded = (bits.numel() + 7) / 8 * 8;
  if (padded > bits.numel()) bits = torch::constant_pad_nd(bits, {0, padded - bits.numel()}, 0);
  return bits.view({-1, 8}).mul(bitWeights(x.device())).sum(1).to(torch::kUInt8);
}

torch::Tensor unpackSigns(const torch::Tensor& packed, int64_t numel) {
  torch::Tensor bits = packed.unsqueeze(1).bitwise_and(bitWeights(packed.device())).ne(0);
  return bits.reshape({-1}).narrow(0, 0, numel).to(torch::kFloat32).mul_(2).sub_(1);
}

void PowerSgd::apply(Event, TrainState& s) {
  torch::NoGradGuard noGrad;
  struct Matrix {
    torch::Tensor grad, parameter, m, p;
  };
  std::vector<Matrix> matrices;
  std::vector<torch::Tensor> plain; // averaged uncompressed
  int64_t index = 0;
  for (torch::Tensor& parameter : s.model->parameters()) {
    if (!parameter.requires_grad()) continue;
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    torch::Tensor g = parameter.grad();
    ++index;
    const int64_t rows = g.dim() >= 2 ? g.size(0) : 1,
                  cols = g.numel() / std::max<int64_t>(1, rows);
    const int64_t r = std::min({rank_, rows, cols});
    // Compressing pays only when the factors are smaller than the matrix.
    if (g.dim() < 2 || (rows + cols) * r >= rows * cols) {
      plain.push_back(g);
      continue;
    }
    const void* key = keyOf(parameter);
    torch::Tensor m = g.reshape({rows, cols}).to(torch::kFloat32);
    if (auto e = error_.find(key); e != error_.end()) m = m + e->second;
    torch::Tensor& q = q_[key];
    if (!q.defined()) {
      // The same starting Q on every rank: seeded by the parameter's position.
      auto gen = at::detail::createCPUGenerator(0x5eed + static_cast<uint64_t>(index));
      q = torch::randn({cols, r}, gen).to(m.device());
    }
    matrices.push_back({g, parameter, m, m.mm(q)});
  }

  std::vector<torch::Tensor> ps;
  for (Matrix& x : matrices)
    ps.push_back(x.p);
  if (distributed(s) && !ps.empty()) s.collectives->allReduceMean(ps);
  std::vector<torch::Tensor> qs;
  for (Matrix& x : matrices) {
    x.p = std::get<0>(torch::linalg_qr(x.p)); // orthonormal columns
    qs.push_back(x.m.t().mm(x.p));
  }
  if (distributed(s) && !qs.empty()) s.collectives->allReduceMean(qs);
  for (size_t i = 0; i < matrices.size(); ++i) {
    Matrix& x = matrices[i];
    torch::Tensor approx = x.p.mm(qs[i].t());
    const void* key = keyOf(x.parameter);
    error_[key] = x.m - approx;
    q_[key] = qs[i];
    x.grad.copy_(approx.view(x.grad.sizes()));
  }
  if (distributed(s) && !plain.empty()) s.collectives->allReduceMean(plain);
  s.gradientsReduced = true;
}

void SignCompression::apply(Event, TrainState& s) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> params, corrected;
  for (torch::Tensor& parameter : s.model->parameters()) {
    if (!parameter.requires_grad()) continue;
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    torch::Tensor c = parameter.grad().reshape({-1}).to(torch::kFloat32);
    if (auto e = error_.find(keyOf(parameter)); e != error_.end()) c = c + e->second;
    params.push_back(parameter);
    corrected.push_back(c);
  }
  if (params.empty()) return;
  std::vector<torch::Tensor> scaleList;
  std::vector<int64_t> sizes;
  for (const torch::Tensor& c : corrected) {
    scaleList.push_back(c.abs().mean().reshape({1}));
    sizes.push_back(c.numel());
  }
  torch::Tensor flat = torch::cat(corrected);
  torch::Tensor scales = torch::cat(scaleList);
  torch::Tensor packed = packSigns(flat);

  // What this rank sends, decompressed: the base of its error feedback.
  auto decompress = [&](const torch::Tensor& bits, const torch::Tensor& perParameter) {
    torch::Tensor signs = unpackSigns(bits, flat.numel());
    return signs.mul_(torch::repeat_interleave(
        perParameter, torch::tensor(sizes, torch::kInt64).to(perParameter.device())));
  };
  torch::Tensor mine = decompress(packed, scales);
  torch::Tensor combined = mine;
  if (distributed(s)) {
    std::vector<torch::Tensor> allBits = s.collectives->allGather(packed);
    std::vector<torch::Tensor> allScales = s.collectives->allGather(scales);
    combined = torch::zeros_like(mine);
    for (size_t r = 0; r < allBits.size(); ++r)
      combined.add_(decompress(allBits[r], allScales[r]));
    combined.div_(static_cast<double>(allBits.size()));
  }
  int64_t offset = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const int64_t n = sizes[i];
    error_[keyOf(params[i])] = corrected[i] - mine.narrow(0, offset, n);
    torch::Tensor g = params[i].grad();
    g.copy_(combined.narrow(0, offset, n).view(g.sizes()));
    offset += n;
  }
  s.gradientsReduced = true;
}

} // namespace fiver::runtime::distributed
