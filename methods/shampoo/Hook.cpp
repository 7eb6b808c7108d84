#include "methods/shampoo/Hook.h"
#include "runtime/methods/HookRegistry.h"
#include "runtime/methods/OptimizedParameters.h"
#include "runtime/train/FlopCharges.h"

#include <string>

namespace fiver::runtime {

namespace {

// A side gets a factor when it is longer than one and not too long to invert.
bool hasFactor(int64_t side, const ShampooSettings& s) {
  return side > 1 && side <= s.maxDim;
}

// A symmetric eigendecomposition and the product that rebuilds the root.
double rootFlops(int64_t side) {
  const double n = static_cast<double>(side);
  return 11 * n * n * n;
}

} // namespace

double ShampooPreconditioner::precondition(const std::vector<torch::Tensor>& params, int64_t step) {
  torch::NoGradGuard noGrad;
  if (entries_.size() != params.size()) entries_.assign(params.size(), Entry{});
  const bool refresh = step % settings_.updateEvery == 0;
  double flops = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor& p = params[i];
    if (p.dim() < 2 || !p.grad().defined()) continue;
    flops += preconditionOne(entries_[i], p.mutable_grad(), refresh);
  }
  return flops;
}

// Statistics and roots in float64: the factors' eigenvalues span many orders
// of magnitude, and the roots of the small ones decide the direction.
double ShampooPreconditioner::preconditionOne(Entry& entry, const torch::Tensor& grad,
                                              bool refresh) {
  const torch::Tensor g = grad.flatten(1).to(torch::kFloat64);
  const int64_t rows = g.size(0), cols = g.size(1);
  const bool left = hasFactor(rows, settings_), right = hasFactor(cols, settings_);
  if (!left && !right) return 0;
  // With one factor, its power doubles so the direction is still whitened.
  const double power = left && right ? -0.25 : -0.5;
  torch::Tensor direction = g;
  double flops = 0;
  auto accumulate = [&](Factor& f, const torch::Tensor& outer, int64_t side) {
    f.statistics = f.statistics.defined() ? f.statistics + outer : outer;
    flops += 2.0 * static_cast<double>(rows * cols * side);
    if (refresh || !f.inverseRoot.defined()) {
      refreshRoot(f, power);
      flops += rootFlops(side);
    }
  };
  if (left) {
    accumulate(entry.left, g.mm(g.t()), rows);
    direction = entry.left.inverseRoot.mm(direction);
    flops += 2.0 * static_cast<double>(rows * rows * cols);
  }
  if (right) {
    accumulate(entry.right, g.t().mm(g), cols);
    direction = direction.mm(entry.right.inverseRoot);
    flops += 2.0 * static_cast<double>(rows * cols * cols);
  }
  // Grafting: Shampoo's direction at the gradient's own size, so the
  // recipe's learning rate and schedule keep their meaning.
  const double size = direction.norm().item<double>();
  if (size > 0) grad.copy_((direction * (g.norm().item<double>() / size)).view_as(grad));
  return flops;
}

void ShampooPreconditioner::refreshRoot(Factor& factor, double power) const {
  auto [values, vectors] = torch::linalg::eigh(factor.statistics, "L");
  const double largest = values.max().item<double>();
  const torch::Tensor regularized =
      values.clamp_min(0) + settings_.epsilon * std::max(largest, 1e-300);
  factor.inverseRoot = (vectors * regularized.pow(power).unsqueeze(0)).mm(vectors.t());
}

void ShampooPreconditioner::saveState(MethodState& out) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::string at = std::to_string(i);
    for (const auto& [side, f] :
         {std::pair{"left", &entries_[i].left}, std::pair{"right", &entries_[i].right}})
      if (f->statistics.defined()) {
        out[std::string(side) + ".statistics." + at] = f->statistics;
        out[std::string(side) + ".root." + at] = f->inverseRoot;
      }
  }
  out["entries"] = torch::tensor(static_cast<int64_t>(entries_.size()));
}

void ShampooPreconditioner::loadState(const MethodState& in) {
  entries_.assign(static_cast<size_t>(in.at("entries").item<int64_t>()), Entry{});
  for (size_t i = 0; i < entries_.size(); ++i) {
    const std::string at = std::to_string(i);
    for (const auto& [side, f] :
         {std::pair{"left", &entries_[i].left}, std::pair{"right", &entries_[i].right}}) {
      auto statistics = in.find(std::string(side) + ".statistics." + at);
      if (statistics == in.end()) continue;
      f->statistics = statistics->second.clone();
      f->inverseRoot = in.at(std::string(side) + ".root." + at).clone();
    }
  }
}

void Shampoo::apply(Event, TrainState& s) {
  const double flops = preconditioner_.precondition(optimizedParameters(s.optimizer), s.step);
  chargeFlops(s, FlopKind::Step, flops);
}

namespace {
const HookRegistrar kHook("shampoo", [](const MethodArgs& args) {
  return std::make_unique<Shampoo>(ShampooSettings{
      args.integer("update_every"), args.number("epsilon"), args.integer("max_dim")});
});
} // namespace

} // namespace fiver::runtime
