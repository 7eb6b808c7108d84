// Cost rules, one per op kind (see OpKinds.def): forward and backward FLOPs
// and parameter counts. opCost adds the memory traffic from these.
#include "compiler/plan/OpRules.h"

#include <algorithm>
#include <numeric>

namespace fiver::plan {

namespace {

double elements(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0,
                         [](double a, int64_t d) { return a * static_cast<double>(d); });
}

double attr(const CostQuery& q, const char* key, double fallback) {
  return getNumber(q.op.attrs, key, fallback);
}

double outChannels(const CostQuery& q) {
  return q.op.shape.empty() ? 1 : static_cast<double>(q.op.shape[0]);
}

} // namespace

void costOfInput(const CostQuery&, OpCost&) {}

void costOfConv(const CostQuery& q, OpCost& c) {
  const double k = attr(q, "kernel", 3), cin = attr(q, "in", q.inputs.empty() ? 1 : q.inputs[0][0]);
  const double groups = attr(q, "groups", 1);
  const double weights = attr(q, "out", outChannels(q)) * cin / groups * k * k;
  c.parameters = static_cast<int64_t>(weights + (attr(q, "bias", 0) != 0 ? attr(q, "out", 0) : 0));
  c.forwardFlops = 2 * q.out * cin / groups * k * k;
  c.backwardFlops = 2 * c.forwardFlops; // input gradient and weight gradient
}

void costOfLinear(const CostQuery& q, OpCost& c) {
  const double fin = attr(q, "in", q.inputs.empty() ? 1 : elements(q.inputs[0]));
  // A linear tied to an embedding (weight_tying) borrows its weight.
  const double weights = getString(q.op.attrs, "tied_to", "").empty() ? fin * attr(q, "out", 1) : 0;
  c.parameters = static_cast<int64_t>(weights + (attr(q, "bias", 0) != 0 ? attr(q, "out", 1) : 0));
  c.forwardFlops = 2 * q.out * fin;
  c.backwardFlops = 2 * c.forwardFlops;
}

void costOfEmbedding(const CostQuery& q, OpCost& c) {
  const double dim = attr(q, "dim", 1);
  c.parameters = static_cast<int64_t>((attr(q, "vocab", 1) + attr(q, "positions", 1)) * dim);
  // The position term's add and its scatter-add; the token lookup is a gather.
  // positions 0 (alibi): no position table, nothing to add.
  const double positionTerm = attr(q, "positions", 1) != 0 ? q.out : 0;
  c.forwardFlops = positionTerm;
  c.backwardFlops = positionTerm;
}

void costOfLayerNorm(const CostQuery& q, OpCost& c) {
  c.parameters = static_cast<int64_t>(2 * attr(q, "features", 0));
  c.forwardFlops = 6 * q.out;
  c.backwardFlops = 8 * q.out;
}

// q, k, v and output projections (4 d^2 per token), then T x T scores and
// their weighted sum per head (2 T d each per token), softmax ~5/score.
void costOfCausalAttention(const CostQuery& q, OpCost& c) {
  const double d = attr(q, "dim", 1), heads = attr(q, "heads", 1);
  const double t = outChannels(q); // a sequence's first dimension is its length
  const double tokens = t * q.batch;
  c.parameters = static_cast<int64_t>(4 * d * d + 4 * d);
  c.forwardFlops = tokens * (8 * d * d + 4 * t * d + 5 * t * heads);
  c.backwardFlops = 2 * c.forwardFlops;
  // alibi: a fixed bias added to each head's T x T scores (H T^2 adds a
  // sequence); being constant, it adds nothing to the backward pass.
  if (attr(q, "alibi", 0) != 0) c.forwardFlops += tokens * t * heads;
}

void costOfBatchNorm(const CostQuery& q, OpCost& c) {
  c.parameters =
      static_cast<int64_t>(2 * attr(q, "features", q.op.shape.empty() ? 0 : q.op.shape[0]));
  c.forwardFlops = 6 * q.out; // statistics, then scale and shift
  c.backwardFlops = 8 * q.out;
}

void costOfPool(const CostQuery& q, OpCost& c) {
  const double k = attr(q, "kernel", 2);
  c.forwardFlops = q.out * k * k;
  c.backwardFlops = q.in;
}

// The mean adds each input element once, the max compares it once; the
// mean's backward spreads the gradient over every element, the max's routes
// it to the argmax and zero-fills the rest.
void costOfGlobalPool(const CostQuery& q, OpCost& c) {
  c.forwardFlops = q.in;
  c.backwardFlops = q.in;
}

void costOfBlur(const CostQuery& q, OpCost& c) {
  c.forwardFlops = 2 * 9 * q.out; // a 3x3 depthwise filter
  c.backwardFlops = 2 * c.forwardFlops;
}

void costOfSqueezeExcite(const CostQuery& q, OpCost& c) {
  const double ch = outChannels(q);
  const double hidden = attr(q, "hidden", std::max(1.0, ch / 4));
  c.parameters = static_cast<int64_t>(2 * ch * hidden + ch + hidden);
  // Pool, two small layers, gate.
  c.forwardFlops = q.in + 4 * q.batch * ch * hidden + 2 * q.out;
  c.backwardFlops = 2 * c.forwardFlops;
}

// One pass over memory for the whole group; each replaced op's arithmetic.
void costOfFused(const CostQuery& q, OpCost& c) {
  const std::string kinds = getString(q.op.attrs, "ops", "");
  double flops = 0;
  size_t start = 0;
  while (start <= kinds.size() && !kinds.empty()) {
    size_t comma = kinds.find(',', start);
    flops += elementwiseFlops(std::string_view(kinds).substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  c.forwardFlops = std::max(1.0, flops) * q.out;
  c.backwardFlops = c.forwardFlops;
}

void costOfFlatten(const CostQuery&, OpCost& c) {
  c.forwardFlops = 0; // a view: no arithmetic, and no backward
  c.backwardFlops = 0;
}

void costOfParameter(const CostQuery& q, OpCost& c) {
  c.parameters = static_cast<int64_t>(elements(q.op.shape));
  c.forwardFlops = 0;      // a view of the tensor over the batch
  c.backwardFlops = q.out; // the batch's gradients summed into it
}

// [.., M, K] x [.., K, N]: 2 K FLOPs per output element; the backward pass
// computes both inputs' gradients.
void costOfMatMul(const CostQuery& q, OpCost& c) {
  const double k = q.inputs.empty() || q.inputs[0].empty() ? 1 : q.inputs[0].back();
  c.forwardFlops = 2 * q.out * k;
  c.backwardFlops = 2 * c.forwardFlops;
}

// reshape, transpose, concat, slice: copies at most, no arithmetic.
void costOfDataMovement(const CostQuery&, OpCost& c) {
  c.forwardFlops = 0;
  c.backwardFlops = 0;
}

// relu, gelu, silu, add, dropout: a few FLOPs per element each way.
void costOfElementwise(const CostQuery& q, OpCost& c) {
  c.forwardFlops = info(q.kind).flopsPerElement * q.out;
  c.backwardFlops = c.forwardFlops;
}

} // namespace fiver::plan
