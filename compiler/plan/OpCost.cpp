#include "compiler/plan/OpCost.h"

#include "compiler/plan/OpRules.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace fiver::plan {

namespace {

double elements(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0,
                         [](double a, int64_t d) { return a * static_cast<double>(d); });
}

double bytesPerElement(const Op& op) {
  return getString(op.attrs, "dtype", "fp32") == "fp32" ? 4.0 : 2.0;
}

// What an op's backward moves: its output gradient read, then for the input
// gradient the weights read and the gradient written, for the weight gradient
// the saved input read and the gradient written; an op without weights reads
// what it saved and writes the input gradient.
double backwardBytes(const OpCost& c, double width, bool inputGradient, bool weightGradient) {
  const double out = c.activationBytes;
  const double params = static_cast<double>(c.parameters) * width;
  const double in = c.bytesMoved - out - params;
  if (c.parameters == 0) return inputGradient ? out + 2 * in : 0;
  return out + (inputGradient ? in + params : 0) + (weightGradient ? in + params : 0);
}

// An image op's CxHxW output for a CxHxW input of another size.
std::vector<int64_t> resizedImage(const Op& op, OpResize resize, const std::vector<int64_t>& in) {
  auto attr = [&](const char* key, double fallback) {
    return static_cast<int64_t>(getNumber(op.attrs, key, fallback));
  };
  const int64_t stride = std::max<int64_t>(1, attr("stride", 1));
  switch (resize) {
  case OpResize::Window: {
    const int64_t k = attr("kernel", 1), pad = attr("padding", 0); // pools have no padding
    return {op.shape[0], (in[1] + 2 * pad - k) / stride + 1, (in[2] + 2 * pad - k) / stride + 1};
  }
  case OpResize::Subsample:
    return {op.shape[0], (in[1] - 1) / stride + 1, (in[2] - 1) / stride + 1};
  case OpResize::Collapse:
    return {op.shape[0], 1, 1};
  default:
    return {op.shape[0], in[1], in[2]};
  }
}

// The plan's shapes for an HxW input, as shape inference derives them: the
// spatial size changes only at strided or windowed ops and global pooling.
Plan atInputSize(const Plan& plan, int64_t height, int64_t width) {
  Plan sized = plan;
  for (Op& op : sized.ops) {
    std::optional<OpKind> kind = opKindFromName(op.kind);
    const OpResize resize = kind ? info(*kind).resize : OpResize::Keep;
    if (resize == OpResize::Source) {
      if (op.shape.size() == 3) op.shape = {op.shape[0], height, width};
      if (op.shape.size() == 1) op.shape = {height}; // a sequence's length
      continue;
    }
    if (op.inputs.empty() || op.inputs[0] < 0 ||
        static_cast<size_t>(op.inputs[0]) >= sized.ops.size())
      continue;
    const std::vector<int64_t>& in = sized.ops[static_cast<size_t>(op.inputs[0])].shape;
    if (resize == OpResize::Flatten) {
      op.shape = {static_cast<int64_t>(elements(in))};
    } else if (op.shape.size() == 2 && !in.empty()) {
      op.shape = {in[0], op.shape[1]}; // a sequence op keeps its input's length
    } else if (in.size() == 3 && op.shape.size() == 3) {
      op.shape = resizedImage(op, resize, in); // flat ops keep their size
    }
  }
  return sized;
}

} // namespace

OpCost& OpCost::operator+=(const OpCost& o) {
  forwardFlops += o.forwardFlops;
  backwardFlops += o.backwardFlops;
  parameters += o.parameters;
  activationBytes += o.activationBytes;
  bytesMoved += o.bytesMoved;
  backwardBytesMoved += o.backwardBytesMoved;
  return *this;
}

OpCost opCost(const Op& op, const std::vector<std::vector<int64_t>>& inputs, int64_t batch) {
  OpCost c;
  const double b = static_cast<double>(batch);
  const double out = elements(op.shape) * b;
  double in = 0;
  for (const auto& shape : inputs)
    in += elements(shape) * b;
  const double width = bytesPerElement(op);
  std::optional<OpKind> kind = opKindFromName(op.kind);
  if (kind == OpKind::Input) return c;
  // An unknown kind costs what an elementwise op does.
  const OpKind rule = kind.value_or(OpKind::Relu);
  info(rule).cost(CostQuery{rule, op, inputs, b, in, out}, c);
  c.activationBytes = out * width;
  c.bytesMoved = (in + out + static_cast<double>(c.parameters)) * width;
  if (c.backwardFlops > 0) c.backwardBytesMoved = backwardBytes(c, width, true, c.parameters > 0);
  return c;
}

std::vector<OpCost> planOpCosts(const Plan& plan, int64_t batch) {
  std::vector<OpCost> costs;
  for (const Op& op : plan.ops) {
    std::vector<std::vector<int64_t>> inputs;
    for (int id : op.inputs)
      if (id >= 0 && static_cast<size_t>(id) < plan.ops.size())
        inputs.push_back(plan.ops[static_cast<size_t>(id)].shape);
    costs.push_back(opCost(op, inputs, batch));
  }
  return costs;
}

std::vector<OpCost> planOpCostsAtStep(const Plan& plan, int64_t batch, int64_t step) {
  const ResolutionStage* stage = nullptr;
  for (const ResolutionStage& s : plan.resolution)
    if (s.startStep <= step) stage = &s;
  std::vector<OpCost> costs =
      planOpCosts(stage ? atInputSize(plan, stage->height, stage->width) : plan, batch);
  // carriesGradient[i]: op i's output depends on a parameter that trains at `step`.
  std::vector<bool> carriesGradient(plan.ops.size(), false);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const Op& op = plan.ops[i];
    OpCost& c = costs[i];
    const bool frozen = op.freezeStep >= 0 && step >= op.freezeStep;
    const bool weightGradient = c.parameters > 0 && !frozen;
    bool inputGradient = false;
    for (int id : op.inputs)
      if (id >= 0 && static_cast<size_t>(id) < i)
        inputGradient = inputGradient || carriesGradient[static_cast<size_t>(id)];
    carriesGradient[i] = weightGradient || inputGradient;
    if (c.parameters > 0 && weightGradient != inputGradient)
      c.backwardFlops /= 2; // one of a weighted op's two gradients
    else if (!carriesGradient[i])
      c.backwardFlops = 0;
    c.backwardBytesMoved =
        c.backwardFlops > 0 ? backwardBytes(c, bytesPerElement(op), inputGradient, weightGradient)
                            : 0;
  }
  return costs;
}

} // namespace fiver::plan
