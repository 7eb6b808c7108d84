// FiveR's fp32 linear layers (forward + backward, as training runs them)
// against the fastest fp32 GEMM this machine offers on the same shapes: the
// three products of a linear layer's step done directly with OpenBLAS
// (torch::mm), with oneDNN's linear (mkldnn_linear on pre-converted tensors,
// which leaves out the layout conversions a real step would pay) and with
// oneDNN's sgemm on the same row-major tensors; LibTorch's own linear layer
// (what the runtime used before) is shown beside them. The shapes are those
// of tiny_gpt (the text recipes) and of the Fashion-MNIST classifier. Sides
// alternate over rounds; each prints GFLOP/s and FiveR's share of the best.
// Every shape is also checked against a float64 reference.
//
//   build/bin/gemm_speed [--rounds 3] [--threads 2]
#include "runtime/BlasCoreType.h"
#include "runtime/kernels/DenseBatchedProduct.h"
#include "runtime/kernels/DenseLinear.h"
#include "runtime/kernels/OneDnnSgemm.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <functional>
#include <string>
#include <vector>

namespace {

struct Shape {
  const char* name;
  int64_t m, k, n; // [m, k] inputs times a [n, k] weight
};

// tiny_gpt(dim: 128) on batch 64 x 128 tokens, and fmnist_cnn's classifier.
const std::vector<Shape> kShapes = {
    {"tiny_gpt qkv 128->384", 8192, 128, 384},    {"tiny_gpt attn out 128->128", 8192, 128, 128},
    {"tiny_gpt mlp up 128->512", 8192, 128, 512}, {"tiny_gpt mlp down 512->128", 8192, 512, 128},
    {"tiny_gpt head 128->256", 8192, 128, 256},   {"fmnist classifier 64->10", 128, 64, 10},
};

double seconds(const std::function<void()>& work, int repeats) {
  work(); // warm-up: first calls allocate and pick kernels
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[repeats / 2];
}

// What a training step runs for one linear layer, as the runtime's linear
// ops run it (runtime/kernels/DenseLinear.h): forward, then backward to the
// input, the weight and the bias; gradients start empty each step, as the
// trainer leaves them.
struct FiveRLinear {
  torch::nn::Linear layer;
  torch::Tensor x, gradOut;
  explicit FiveRLinear(const Shape& s)
      : layer(torch::nn::LinearOptions(s.k, s.n)), x(torch::randn({s.m, s.k})),
        gradOut(torch::randn({s.m, s.n})) {
    x.requires_grad_(true);
  }
  void step() {
    layer->zero_grad(/*set_to_none=*/true);
    x.mutable_grad() = torch::Tensor();
    fiver::runtime::denseLinear(x, layer->weight, layer->bias).backward(gradOut);
  }
};

// LibTorch's own linear layer, which the runtime used before (torch::linear:
// the system BLAS).
struct TorchLinear {
  torch::nn::Linear layer;
  torch::Tensor x, gradOut;
  explicit TorchLinear(const Shape& s)
      : layer(torch::nn::LinearOptions(s.k, s.n)), x(torch::randn({s.m, s.k})),
        gradOut(torch::randn({s.m, s.n})) {
    x.requires_grad_(true);
  }
  void step() {
    layer->zero_grad(/*set_to_none=*/true);
    x.mutable_grad() = torch::Tensor();
    layer->forward(x).backward(gradOut);
  }
};

// The same three products straight to OpenBLAS.
struct BlasProducts {
  torch::Tensor x, w, gradOut;
  explicit BlasProducts(const Shape& s)
      : x(torch::randn({s.m, s.k})), w(torch::randn({s.n, s.k})),
        gradOut(torch::randn({s.m, s.n})) {}
  void step() {
    torch::mm(x, w.t());
    torch::mm(gradOut, w);
    torch::mm(gradOut.t(), x);
  }
};

// And to oneDNN, with every operand already in its layout.
struct OneDnnProducts {
  torch::Tensor x, w, wT, gradOut, gradOutT, xT;
  explicit OneDnnProducts(const Shape& s) {
    torch::Tensor x0 = torch::randn({s.m, s.k}), w0 = torch::randn({s.n, s.k}),
                  g0 = torch::randn({s.m, s.n});
    x = x0.to_mkldnn(), w = w0.to_mkldnn(), wT = w0.t().contiguous().to_mkldnn();
    gradOut = g0.to_mkldnn(), gradOutT = g0.t().contiguous().to_mkldnn();
    xT = x0.t().contiguous().to_mkldnn();
  }
  void step() {
    at::mkldnn_linear(x, w);         // y = x W^T
    at::mkldnn_linear(gradOut, wT);  // dx = dy W
    at::mkldnn_linear(gradOutT, xT); // dW = dy^T x
  }
};

// And to oneDNN's sgemm on the same row-major tensors (no layout of its own).
struct OneDnnSgemm {
  using Sgemm = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t,
                        const float*, int64_t, float, float*, int64_t);
  Sgemm sgemm = reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "dnnl_sgemm"));
  Shape s;
  torch::Tensor x, w, gradOut, y, gradX, gradW;
  explicit OneDnnSgemm(const Shape& shape)
      : s(shape), x(torch::randn({s.m, s.k})), w(torch::randn({s.n, s.k})),
        gradOut(torch::randn({s.m, s.n})), y(torch::empty({s.m, s.n})),
        gradX(torch::empty({s.m, s.k})), gradW(torch::empty({s.n, s.k})) {}
  void step() {
    if (!sgemm) return;
    sgemm('N', 'T', s.m, s.n, s.k, 1, x.data_ptr<float>(), s.k, w.data_ptr<float>(), s.k, 0,
          y.data_ptr<float>(), s.n); // y = x W^T
    sgemm('N', 'N', s.m, s.k, s.n, 1, gradOut.data_ptr<float>(), s.n, w.data_ptr<float>(), s.k, 0,
          gradX.data_ptr<float>(), s.k); // dx = dy W
    sgemm('T', 'N', s.n, s.k, s.m, 1, gradOut.data_ptr<float>(), s.n, x.data_ptr<float>(), s.k, 0,
          gradW.data_ptr<float>(), s.k); // dW = dy^T x
  }
};

// Attention's batched products, [N, m, k] x [N, k, n]: tiny_gpt's heads
// (batch 64 x 4 heads, 128 tokens, 32 features a head).
struct BatchedShape {
  const char* name;
  int64_t batch, m, k, n;
  bool transposedB; // b is k.transpose(1, 2), as attention's scores read it
};
const std::vector<BatchedShape> kBatchedShapes = {
    {"tiny_gpt scores q k^T", 256, 128, 32, 128, true},
    {"tiny_gpt mix p v", 256, 128, 128, 32, false},
};

// One product's forward and backward through `multiply`, gradients empty
// at each step.
struct BatchedStep {
  torch::Tensor a, b, gradOut;
  std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> multiply;
  BatchedStep(const BatchedShape& s,
              std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> f)
      : a(torch::randn({s.batch, s.m, s.k})),
        b(s.transposedB ? torch::randn({s.batch, s.n, s.k}).transpose(1, 2)
                        : torch::randn({s.batch, s.k, s.n})),
        gradOut(torch::randn({s.batch, s.m, s.n})), multiply(std::move(f)) {
    a.requires_grad_(true);
    b.requires_grad_(true);
  }
  void step() {
    a.mutable_grad() = torch::Tensor();
    b.mutable_grad() = torch::Tensor();
    multiply(a, b).backward(gradOut);
  }
};

// The three products of that step straight to dnnl_sgemm, one batch entry
// a thread at a time: c = a b, da = dc b^T, db = a^T dc.
struct BatchedSgemm {
  BatchedShape s;
  torch::Tensor a, b, gradOut, c, gradA, gradB;
  explicit BatchedSgemm(const BatchedShape& shape)
      : s(shape), a(torch::randn({s.batch, s.m, s.k})), b(torch::randn({s.batch, s.k, s.n})),
        gradOut(torch::randn({s.batch, s.m, s.n})), c(torch::empty({s.batch, s.m, s.n})),
        gradA(torch::empty({s.batch, s.m, s.k})), gradB(torch::empty({s.batch, s.k, s.n})) {}
  void step() {
    if (!fiver::runtime::oneDnnSgemm()) return;
    at::parallel_for(0, s.batch, 1, [&](int64_t first, int64_t end) {
      using fiver::runtime::callSgemm;
      for (int64_t i = first; i < end; ++i) {
        const float *pa = a[i].data_ptr<float>(), *pb = b[i].data_ptr<float>(),
                    *pg = gradOut[i].data_ptr<float>();
        callSgemm('N', 'N', s.m, s.n, s.k, pa, s.k, pb, s.n, 0, c[i].data_ptr<float>(), s.n);
        callSgemm('N', 'T', s.m, s.k, s.n, pg, s.n, pb, s.n, 0, gradA[i].data_ptr<float>(), s.k);
        callSgemm('T', 'N', s.k, s.n, s.m, pa, s.k, pg, s.n, 0, gradB[i].data_ptr<float>(), s.n);
      }
    });
  }
};

// FiveR's results against float64: the largest error relative to the largest value.
double relativeError(const Shape& s) {
  FiveRLinear f(s);
  f.step();
  torch::Tensor x = f.x.detach().to(torch::kFloat64),
                w = f.layer->weight.detach().to(torch::kFloat64), g = f.gradOut.to(torch::kFloat64);
  auto rel = [](const torch::Tensor& got, const torch::Tensor& want) {
    return (got.to(torch::kFloat64) - want).abs().max().item<double>() /
           std::max(want.abs().max().item<double>(), 1e-30);
  };
  torch::Tensor y = fiver::runtime::denseLinear(f.x, f.layer->weight, f.layer->bias).detach();
  torch::Tensor yWant = x.mm(w.t()) + f.layer->bias.detach().to(torch::kFloat64);
  return std::max(
      {rel(y, yWant), rel(f.x.grad(), g.mm(w)), rel(f.layer->weight.grad(), g.t().mm(x))});
}

// What autograd alone costs a layer: the forward and backward of x * 1 on
// the classifier's input, in microseconds. A layer whose three products
// take less than this is bound by LibTorch's bookkeeping, not its GEMMs.
double autogradFloorMicroseconds(const Shape& s) {
  torch::Tensor x = torch::randn({s.m, s.k}).requires_grad_(), ones = torch::ones({s.m, s.k});
  const int repeats = 400;
  return 1e6 *
         seconds(
             [&] {
               for (int i = 0; i < repeats; ++i) {
                 x.mutable_grad() = torch::Tensor();
                 (x * 1.0f).backward(ones);
               }
             },
             5) /
         repeats;
}

std::string openBlasCore() {
  using CoreName = char* (*)();
  auto corename = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return corename ? corename() : "(no OpenBLAS)";
}

int intOption(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  fiver::runtime::chooseOpenBlasCoreType(argv); // what 5rc-exec does first
  const int rounds = intOption(argc, argv, "--rounds", 3);
  const int threads = intOption(argc, argv, "--threads", 2);
  torch::manual_seed(0);
  torch::set_num_threads(threads);
  std::printf("OpenBLAS core: %s; threads: %d; rounds: %d (sides alternate)\n",
              openBlasCore().c_str(), threads, rounds);
  std::printf("%-28s %9s %9s %9s %9s %9s %7s %8s %9s\n", "shape (m=tokens)", "FiveR", "torch",
              "OpenBLAS", "oneDNN", "sgemm", "share", "kernel", "rel.error");
  double worstShare = 1, worstKernelShare = 1;
  for (const Shape& s : kShapes) {
    FiveRLinear fiver(s);
    TorchLinear torchLinear(s);
    BlasProducts blas(s);
    OneDnnProducts onednn(s);
    OneDnnSgemm sgemm(s);
    const double flops = 3.0 * 2.0 * static_cast<double>(s.m * s.k * s.n);
    const int repeats = std::clamp(static_cast<int>(2e9 / flops), 5, 400);
    std::vector<std::function<void()>> steps = {[&] { fiver.step(); }, [&] { torchLinear.step(); },
                                                [&] { blas.step(); }, [&] { onednn.step(); },
                                                [&] { sgemm.step(); }};
    std::vector<std::vector<double>> times(steps.size());
    for (int r = 0; r < rounds; ++r) {
      std::vector<size_t> order(steps.size());
      for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
      if (r % 2) std::reverse(order.begin(), order.end());
      for (size_t i : order)
        times[i].push_back(seconds(steps[i], repeats));
    }
    std::vector<double> rate;
    for (const std::vector<double>& t : times)
      rate.push_back(flops / *std::min_element(t.begin(), t.end()) / 1e9);
    if (!sgemm.sgemm) rate[4] = 0; // no dnnl_sgemm in this process
    const double best = std::max({rate[2], rate[3], rate[4]});
    const double share = rate[0] / best;
    worstShare = std::min(worstShare, share);
    // The kernel the layer's products run on: oneDNN's sgemm where
    // denseLinear takes the product, LibTorch's linear (OpenBLAS) below that.
    const bool dense = fiver::runtime::denseLinearApplies(fiver.x, fiver.layer->weight);
    const double kernelShare = (dense ? rate[4] : rate[2]) / best;
    worstKernelShare = std::min(worstKernelShare, kernelShare);
    std::printf("%-28s %9.1f %9.1f %9.1f %9.1f %9.1f %6.0f%% %7.0f%% %9.1e\n", s.name, rate[0],
                rate[1], rate[2], rate[3], rate[4], 100 * share, 100 * kernelShare,
                relativeError(s));
    if (!dense)
      std::printf("%-28s products alone %.1f us (sgemm), autograd alone %.1f us (x * 1, forward "
                  "+ backward): the layer is bound by autograd\n",
                  "", flops / rate[4] / 1e3, autogradFloorMicroseconds(s));
  }
  std::printf("GFLOP/s of forward + backward (3 GEMMs). FiveR: the runtime's linear layers; "
              "torch: torch::nn::Linear;\nOpenBLAS: torch::mm; oneDNN: mkldnn_linear on "
              "pre-converted tensors; sgemm: dnnl_sgemm on row-major tensors.\n"
              "share = FiveR / max(OpenBLAS, oneDNN, sgemm); kernel = the share of the kernel "
              "FiveR's products run on\n(sgemm, or OpenBLAS below 2^18 multiply-adds), without "
              "the layer's autograd bookkeeping\n");
  std::printf("\n%-28s %9s %9s %9s %7s %9s\n", "batched shape", "FiveR", "torch", "sgemm", "share",
              "rel.error");
  for (const BatchedShape& s : kBatchedShapes) {
    BatchedStep fiver(s, fiver::runtime::denseBatchedProduct);
    BatchedStep torchSide(
        s, [](const torch::Tensor& a, const torch::Tensor& b) { return torch::matmul(a, b); });
    BatchedSgemm sgemm(s);
    const double flops = 3.0 * 2.0 * static_cast<double>(s.batch * s.m * s.k * s.n);
    const int repeats = std::clamp(static_cast<int>(2e9 / flops), 5, 400);
    std::vector<std::function<void()>> steps = {[&] { fiver.step(); }, [&] { torchSide.step(); },
                                                [&] { sgemm.step(); }};
    std::vector<std::vector<double>> times(steps.size());
    for (int r = 0; r < rounds; ++r)
      for (size_t j = 0; j < steps.size(); ++j) {
        const size_t i = r % 2 ? steps.size() - 1 - j : j;
        times[i].push_back(seconds(steps[i], repeats));
      }
    std::vector<double> rate;
    for (const std::vector<double>& t : times)
      rate.push_back(flops / *std::min_element(t.begin(), t.end()) / 1e9);
    if (!fiver::runtime::oneDnnSgemm()) rate[2] = 0;
    const double share = rate[0] / std::max({rate[1], rate[2]});
    worstShare = std::min(worstShare, share);
    // Against float64: the forward product and both gradients.
    fiver.step();
    const torch::Tensor a64 = fiver.a.detach().to(torch::kFloat64).requires_grad_(),
                        b64 = fiver.b.detach().to(torch::kFloat64).requires_grad_();
    torch::matmul(a64, b64).backward(fiver.gradOut.to(torch::kFloat64));
    auto rel = [](const torch::Tensor& got, const torch::Tensor& want) {
      return (got.to(torch::kFloat64) - want).abs().max().item<double>() /
             std::max(want.abs().max().item<double>(), 1e-30);
    };
    const double error =
        std::max({rel(fiver::runtime::denseBatchedProduct(fiver.a, fiver.b).detach(),
                      torch::matmul(a64, b64).detach()),
                  rel(fiver.a.grad(), a64.grad()), rel(fiver.b.grad(), b64.grad())});
    std::printf("%-28s %9.1f %9.1f %9.1f %6.0f%% %9.1e\n", s.name, rate[0], rate[1], rate[2],
                100 * share, error);
  }
  std::printf("GFLOP/s of forward + backward (3 batched products). FiveR: the runtime's "
              "attention products;\ntorch: torch::matmul; sgemm: dnnl_sgemm, batch entries "
              "over the threads. share = FiveR / max(torch, sgemm)\n");
  std::printf("worst share: %.0f%%; worst kernel share: %.0f%% (target: at least 80%%)\n",
              100 * worstShare, 100 * worstKernelShare);
  return 0;
}
