#include "compiler/plan/OpCost.h"

#include <algorithm>
#include <numeric>

namespace fiver::plan {

namespace {

double elements(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0,
                         [](double a, int64_t d) { return a * static_cast<double>(d); });
}

double bytesPerElement(const Op& op) {
  return getString(op.attrs, "dtype", "fp32") == "fp32" ? 4.0 : 2.0;
}

// FLOPs per output element of elementwise ops (transcendentals cost more).
double elementwiseFlops(const std::string& kind) {
  if (kind == "gelu") return 8;
  if (kind == "silu") return 4;
  if (kind == "dropout") return 2;
  return 1; // relu, add, flatten copies
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

// The plan's shapes for an HxW input, as shape inference derives them: the
// spatial size changes only at strided or windowed ops and global pooling.
Plan atInputSize(const Plan& plan, int64_t height, int64_t width) {
  Plan sized = plan;
  for (Op& op : sized.ops) {
    if (op.kind == "input") {
      if (op.shape.size() == 3) op.shape = {op.shape[0], height, width};
      if (op.shape.size() == 1) op.shape = {height}; // a sequence's length
      continue;
    }
    if (op.inputs.empty() || op.inputs[0] < 0 ||
        static_cast<size_t>(op.inputs[0]) >= sized.ops.size())
      continue;
    const std::vector<int64_t>& in = sized.ops[static_cast<size_t>(op.inputs[0])].shape;
    auto attr = [&](const char* key, double fallback) {
      return static_cast<int64_t>(getNumber(op.attrs, key, fallback));
    };
    if (op.kind == "flatten") {
      op.shape = {static_cast<int64_t>(elements(in))};
    } else if (op.shape.size() == 2 && !in.empty()) {
      op.shape = {in[0], op.shape[1]}; // a sequence op keeps its input's length
    } else if (in.size() != 3 || op.shape.size() != 3) {
      continue; // flat ops keep their size
    } else if (op.kind == "conv" || op.kind == "maxpool" || op.kind == "avgpool") {
      const int64_t k = attr("kernel", 1), stride = std::max<int64_t>(1, attr("stride", 1));
      const int64_t pad = op.kind == "conv" ? attr("padding", 0) : 0;
      op.shape = {op.shape[0], (in[1] + 2 * pad - k) / stride + 1,
                  (in[2] + 2 * pad - k) / stride + 1};
    } else if (op.kind == "blur") {
      const int64_t stride = std::max<int64_t>(1, attr("stride", 1));
      op.shape = {op.shape[0], (in[1] - 1) / stride + 1, (in[2] - 1) / stride + 1};
    } else if (op.kind == "global_avgpool" || op.kind == "global_maxpool") {
      op.shape = {op.shape[0], 1, 1};
    } else {
      op.shape = {op.shape[0], in[1], in[2]};
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
  auto attr = [&](const char* key, double fallback) { return getNumber(op.attrs, key, fallback); };

  if (op.kind == "input") return c;
  if (op.kind == "conv") {
    const double k = attr("kernel", 3), cin = attr("in", inputs.empty() ? 1 : inputs[0][0]);
    const double groups = attr("groups", 1);
    const double weights = attr("out", op.shape.empty() ? 1 : op.shape[0]) * cin / groups * k * k;
    c.parameters = static_cast<int64_t>(weights + (attr("bias", 0) != 0 ? attr("out", 0) : 0));
    c.forwardFlops = 2 * out * cin / groups * k * k;
    c.backwardFlops = 2 * c.forwardFlops; // input gradient and weight gradient
  } else if (op.kind == "linear") {
    const double fin = attr("in", inputs.empty() ? 1 : elements(inputs[0]));
    // A linear tied to an embedding (weight_tying) borrows its weight.
    const double weights = getString(op.attrs, "tied_to", "").empty() ? fin * attr("out", 1) : 0;
    c.parameters = static_cast<int64_t>(weights + (attr("bias", 0) != 0 ? attr("out", 1) : 0));
    c.forwardFlops = 2 * out * fin;
    c.backwardFlops = 2 * c.forwardFlops;
  } else if (op.kind == "embedding") {
    const double dim = attr("dim", 1);
    c.parameters = static_cast<int64_t>((attr("vocab", 1) + attr("positions", 1)) * dim);
    c.forwardFlops = out;  // the position term's add; the lookup is a gather
    c.backwardFlops = out; // scatter-add into the two tables
  } else if (op.kind == "layernorm") {
    c.parameters = static_cast<int64_t>(2 * attr("features", 0));
    c.forwardFlops = 6 * out;
    c.backwardFlops = 8 * out;
  } else if (op.kind == "causal_attention") {
    // q, k, v and output projections (4 d^2 per token), then T x T scores
    // and their weighted sum per head (2 T d each per token), softmax ~5/score.
    const double d = attr("dim", 1), heads = attr("heads", 1);
    const double t = op.shape.empty() ? 1 : static_cast<double>(op.shape[0]);
    const double tokens = t * b;
    c.parameters = static_cast<int64_t>(4 * d * d + 4 * d);
    c.forwardFlops = tokens * (8 * d * d + 4 * t * d + 5 * t * heads);
    c.backwardFlops = 2 * c.forwardFlops;
  } else if (op.kind == "bn") {
    c.parameters = static_cast<int64_t>(2 * attr("features", op.shape.empty() ? 0 : op.shape[0]));
    c.forwardFlops = 6 * out; // statistics, then scale and shift
    c.backwardFlops = 8 * out;
  } else if (op.kind == "maxpool" || op.kind == "avgpool") {
    const double k = attr("kernel", 2);
    c.forwardFlops = out * k * k;
    c.backwardFlops = in;
  } else if (op.kind == "global_avgpool" || op.kind == "global_maxpool") {
    // The mean adds each input element once, the max compares it once; the
    // mean's backward spreads the gradient over every element, the max's
    // routes it to the argmax and zero-fills the rest.
    c.forwardFlops = in;
    c.backwardFlops = in;
  } else if (op.kind == "blur") {
    c.forwardFlops = 2 * 9 * out; // a 3x3 depthwise filter
    c.backwardFlops = 2 * c.forwardFlops;
  } else if (op.kind == "squeeze_excite") {
    const double ch = op.shape.empty() ? 1 : static_cast<double>(op.shape[0]);
    const double hidden = attr("hidden", std::max(1.0, ch / 4));
    c.parameters = static_cast<int64_t>(2 * ch * hidden + ch + hidden);
    c.forwardFlops = in + 4 * b * ch * hidden + 2 * out; // pool, two small layers, gate
    c.backwardFlops = 2 * c.forwardFlops;
  } else if (op.kind == "fused") {
    // One pass over memory for the whole group; each replaced op's arithmetic.
    const std::string kinds = getString(op.attrs, "ops", "");
    double flops = 0;
    size_t start = 0;
    while (start <= kinds.size() && !kinds.empty()) {
      size_t comma = kinds.find(',', start);
      flops += elementwiseFlops(kinds.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    c.forwardFlops = std::max(1.0, flops) * out;
    c.backwardFlops = c.forwardFlops;
  } else { // relu, gelu, silu, add, dropout, flatten
    c.forwardFlops = op.kind == "flatten" ? 0 : elementwiseFlops(op.kind) * out;
    c.backwardFlops = c.forwardFlops;
  }
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
