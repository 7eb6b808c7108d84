#include "runtime/data/AugmentOps.h"

#include <cmath>

namespace fiver::runtime {
namespace {

namespace F = torch::nn::functional;

// A per-image value shaped to broadcast over C x H x W.
torch::Tensor perImage(const torch::Tensor& v) {
  return v.view({-1, 1, 1, 1});
}

// Warps each image by its 2 x 3 matrix (output coordinates in [-1, 1] to
// input ones, affine_grid's convention); outside the image is black.
torch::Tensor warp(const torch::Tensor& pixels, const torch::Tensor& theta) {
  torch::Tensor grid = F::affine_grid(theta, pixels.sizes(), /*align_corners=*/false);
  return F::grid_sample(pixels, grid,
                        F::GridSampleFuncOptions()
                            .mode(torch::kBilinear)
                            .padding_mode(torch::kZeros)
                            .align_corners(false));
}

// Matrices from the four linear coefficients and the shift, per image.
torch::Tensor affineMatrices(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& c,
                             const torch::Tensor& d, const torch::Tensor& tx,
                             const torch::Tensor& ty) {
  return torch::stack({a, b, tx, c, d, ty}, 1).view({-1, 2, 3});
}

torch::Tensor shearImages(const torch::Tensor& pixels, const torch::Tensor& s, bool alongX) {
  // In pixel coordinates x_in = x + s y (or y_in = y + s x); normalized
  // coordinates rescale s by the aspect ratio.
  const double aspect = static_cast<double>(pixels.size(2)) / static_cast<double>(pixels.size(3));
  torch::Tensor one = torch::ones_like(s), zero = torch::zeros_like(s);
  return alongX ? warp(pixels, affineMatrices(one, s * aspect, zero, one, zero, zero))
                : warp(pixels, affineMatrices(one, zero, s / aspect, one, zero, zero));
}

torch::Tensor grayscale(const torch::Tensor& pixels) {
  if (pixels.size(1) != 3) return pixels.mean(1, true);
  torch::Tensor weights = torch::tensor({0.299, 0.587, 0.114}, pixels.options()).view({1, 3, 1, 1});
  return (pixels * weights).sum(1, true);
}

// PIL's ImageEnhance: degenerate + factor (image - degenerate), clamped.
torch::Tensor blend(const torch::Tensor& pixels, const torch::Tensor& degenerate,
                    const torch::Tensor& factor) {
  return (degenerate + perImage(factor) * (pixels - degenerate)).clamp(0, 1);
}

torch::Tensor smoothed(const torch::Tensor& pixels) {
  // PIL's SMOOTH kernel inside the image; the border keeps its pixels.
  const int64_t c = pixels.size(1);
  torch::Tensor kernel = torch::ones({3, 3}, pixels.options());
  kernel[1][1] = 5;
  kernel = (kernel / 13).view({1, 1, 3, 3}).expand({c, 1, 3, 3});
  torch::Tensor inner = F::conv2d(pixels, kernel, F::Conv2dFuncOptions().groups(c));
  torch::Tensor out = pixels.clone();
  out.narrow(2, 1, inner.size(2)).narrow(3, 1, inner.size(3)).copy_(inner);
  return out;
}

torch::Tensor autoContrast(const torch::Tensor& pixels) {
  torch::Tensor flat = pixels.flatten(2);
  torch::Tensor lo = flat.amin(2, true).unsqueeze(3), hi = flat.amax(2, true).unsqueeze(3);
  torch::Tensor range = hi - lo;
  return torch::where(range > 0, (pixels - lo) / range.clamp_min(1e-12), pixels);
}

torch::Tensor equalize(const torch::Tensor& pixels) {
  // Each channel's 256-level histogram, and its cumulative share as the new level.
  torch::Tensor flat = pixels.flatten(2).flatten(0, 1); // (B C) x HW
  torch::Tensor levels = (flat * 255).round().clamp(0, 255).to(torch::kInt64);
  torch::Tensor hist = torch::zeros({flat.size(0), 256}, flat.options());
  hist.scatter_add_(1, levels, torch::ones_like(flat));
  torch::Tensor cdf = hist.cumsum(1);
  torch::Tensor first = cdf.gather(1, levels.amin(1, true)); // count at the darkest level
  torch::Tensor total = cdf.select(1, 255).unsqueeze(1);
  torch::Tensor spread = total - first;
  torch::Tensor mapped = (cdf.gather(1, levels) - first) / spread.clamp_min(1);
  return torch::where(spread > 0, mapped, flat).view(pixels.sizes());
}

torch::Tensor posterize(const torch::Tensor& pixels, const torch::Tensor& m) {
  torch::Tensor bits = 8 - (4 * m.abs()).round();
  torch::Tensor step = perImage(torch::pow(2.0, 8 - bits));
  torch::Tensor levels = (pixels * 255).round();
  torch::Tensor out = (levels / step).floor() * step / 255;
  return torch::where(perImage(bits) >= 8, pixels, out);
}

torch::Tensor applyOne(AugmentOp op, const torch::Tensor& p, const torch::Tensor& m) {
  torch::Tensor enhance = 1 + kMaxEnhance * m;
  switch (op) {
  case AugmentOp::Identity:
    return p;
  case AugmentOp::AutoContrast:
    return autoContrast(p);
  case AugmentOp::Equalize:
    return equalize(p);
  case AugmentOp::Rotate:
    return rotateImages(p, kMaxRotateDegrees * m);
  case AugmentOp::Solarize:
    return solarizeImages(p, 1 - m.abs());
  case AugmentOp::Color:
    return blend(p, grayscale(p), enhance);
  case AugmentOp::Contrast:
    return blend(p, perImage(grayscale(p).mean({1, 2, 3})), enhance);
  case AugmentOp::Brightness:
    return blend(p, torch::zeros_like(p), enhance);
  case AugmentOp::Sharpness:
    return blend(p, smoothed(p), enhance);
  case AugmentOp::Posterize:
    return posterize(p, m);
  case AugmentOp::ShearX:
    return shearImages(p, kMaxShear * m, true);
  case AugmentOp::ShearY:
    return shearImages(p, kMaxShear * m, false);
  case AugmentOp::TranslateX:
    return translateImages(p, kMaxTranslate * m, torch::zeros_like(m));
  case AugmentOp::TranslateY:
    return translateImages(p, torch::zeros_like(m), kMaxTranslate * m);
  }
  return p;
}

} // namespace

PixelRange pixelRangeOf(const torch::Tensor& images) {
  const double black = images.min().item<double>(), white = images.max().item<double>();
  return white > black ? PixelRange{black, white} : PixelRange{black, black + 1};
}

torch::Tensor toPixels(const torch::Tensor& images, PixelRange range) {
  return (images.to(torch::kFloat32) - range.black) / (range.white - range.black);
}

torch::Tensor fromPixels(const torch::Tensor& pixels, PixelRange range) {
  return pixels * (range.white - range.black) + range.black;
}

torch::Tensor applyAugmentOps(const torch::Tensor& pixels, const torch::Tensor& ops,
                              const torch::Tensor& magnitudes) {
  torch::Tensor out = pixels.clone();
  torch::Tensor m = magnitudes.to(pixels.options());
  for (int64_t k = 1; k < kAugmentOpCount; ++k) { // Identity leaves its images
    torch::Tensor rows = (ops == k).nonzero().flatten();
    if (rows.numel() == 0) continue;
    torch::Tensor done =
        applyOne(static_cast<AugmentOp>(k), pixels.index_select(0, rows), m.index_select(0, rows));
    out.index_copy_(0, rows, done.clamp(0, 1));
  }
  return out;
}

torch::Tensor drawAugmentOps(int64_t batch, const torch::Device& device) {
  return torch::randint(0, kAugmentOpCount, {batch},
                        torch::TensorOptions().dtype(torch::kInt64).device(device));
}

torch::Tensor randomSigns(int64_t batch, const torch::Device& device) {
  auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  return torch::randint(0, 2, {batch}, options) * 2 - 1;
}

torch::Tensor rotateImages(const torch::Tensor& pixels, const torch::Tensor& degrees) {
  // A rotation in pixel coordinates, written in normalized ones.
  const double aspect = static_cast<double>(pixels.size(2)) / static_cast<double>(pixels.size(3));
  torch::Tensor radians = degrees.to(pixels.options()) * (M_PI / 180);
  torch::Tensor c = radians.cos(), s = radians.sin(), zero = torch::zeros_like(c);
  return warp(pixels, affineMatrices(c, -s * aspect, s / aspect, c, zero, zero));
}

torch::Tensor translateImages(const torch::Tensor& pixels, const torch::Tensor& dx,
                              const torch::Tensor& dy) {
  // The content moves by dx, dy of the side: input = output - 2 shift.
  torch::Tensor x = dx.to(pixels.options()), y = dy.to(pixels.options());
  torch::Tensor one = torch::ones_like(x), zero = torch::zeros_like(x);
  return warp(pixels, affineMatrices(one, zero, zero, one, -2 * x, -2 * y));
}

torch::Tensor solarizeImages(const torch::Tensor& pixels, const torch::Tensor& thresholds) {
  torch::Tensor t = perImage(thresholds.to(pixels.options()));
  return torch::where(pixels > t, 1 - pixels, pixels);
}

} // namespace fiver::runtime
