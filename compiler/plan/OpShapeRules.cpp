// Shape rules, one per op kind (see OpKinds.def): the output shape from the
// op's attributes and its inputs' shapes, or what is wrong with them. Shapes
// have no batch dimension: CxHxW for images, [T, d] for sequences.
#include "compiler/plan/OpRules.h"

#include <algorithm>
#include <cstdlib>

namespace fiver::plan {

namespace {

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

int64_t attr(const ShapeQuery& q, const char* key) {
  return static_cast<int64_t>(getNumber(q.attrs, key, 0));
}

std::string who(const ShapeQuery& q) {
  return "'" + std::string(q.kind) + "' ";
}

std::string needImage(const ShapeQuery& q) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (in.size() != 3)
    return who(q) + "needs a CxHxW input, but gets " + shapeText(in) + " (is it after flatten?)";
  return {};
}

std::string positive(const ShapeQuery& q, const char* key) {
  if (attr(q, key) <= 0)
    return who(q) + "needs a positive " + key + ", not " + std::to_string(attr(q, key));
  return {};
}

// A kernel/stride window over an image: floor((size + 2p - k) / s) + 1, and
// the window must fit at least once.
std::string window(const ShapeQuery& q, int64_t padding, int64_t channels,
                   std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  const int64_t k = attr(q, "kernel"), s = attr(q, "stride");
  if (padding < 0 || in[1] + 2 * padding < k || in[2] + 2 * padding < k)
    return who(q) + "with kernel " + std::to_string(k) + " does not fit its " + shapeText(in) +
           " input";
  shape = {channels, (in[1] + 2 * padding - k) / s + 1, (in[2] + 2 * padding - k) / s + 1};
  return {};
}

std::string imageWindowChecks(const ShapeQuery& q) {
  if (std::string e = needImage(q); !e.empty()) return e;
  for (const char* key : {"kernel", "stride"})
    if (std::string e = positive(q, key); !e.empty()) return e;
  return {};
}

// The width attribute `key` must match the input's width `got`.
std::string expectsWidth(const ShapeQuery& q, const char* key, int64_t got, const char* verb,
                         const char* unit) {
  if (attr(q, key) != got)
    return who(q) + verb + " " + std::to_string(attr(q, key)) + " " + unit + ", gets " +
           std::to_string(got);
  return {};
}

std::string sequenceOfFeatures(const ShapeQuery& q, const char* widthKey) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (in.size() != 2)
    return who(q) + "needs a sequence of features [T, d], but gets " + shapeText(in);
  return expectsWidth(q, widthKey, in[1], "expects", "features");
}

} // namespace

std::string shapeOfInput(const ShapeQuery&, std::vector<int64_t>&) {
  return {}; // the task's input shape, set by whoever makes the op
}

std::string shapeOfConv(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = imageWindowChecks(q); !e.empty()) return e;
  if (std::string e = positive(q, "out"); !e.empty()) return e;
  std::vector<int64_t> out;
  if (std::string e = window(q, attr(q, "padding"), attr(q, "out"), out); !e.empty()) return e;
  if (std::string e = expectsWidth(q, "in", q.inputs[0][0], "expects", "input channels");
      !e.empty())
    return e;
  shape = out;
  return {};
}

std::string shapeOfPool(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = imageWindowChecks(q); !e.empty()) return e;
  return window(q, attr(q, "padding"), q.inputs[0][0], shape);
}

std::string shapeOfBatchNorm(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = needImage(q); !e.empty()) return e;
  if (std::string e = expectsWidth(q, "features", q.inputs[0][0], "normalizes", "channels");
      !e.empty())
    return e;
  shape = q.inputs[0];
  return {};
}

std::string shapeOfGlobalPool(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = needImage(q); !e.empty()) return e;
  shape = {q.inputs[0][0], 1, 1};
  return {};
}

std::string shapeOfFlatten(const ShapeQuery& q, std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : q.inputs[0])
    n *= d;
  shape = {n};
  return {};
}

// A flat vector, or a sequence of them ([T, features]: each position).
std::string shapeOfLinear(const ShapeQuery& q, std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (in.size() != 1 && in.size() != 2)
    return who(q) + "needs a flat input, but gets " + shapeText(in) + ": add `flatten` before it";
  if (std::string e = positive(q, "out"); !e.empty()) return e;
  if (std::string e = expectsWidth(q, "in", in.back(), "expects", "features"); !e.empty()) return e;
  shape = in;
  shape.back() = attr(q, "out");
  return {};
}

std::string shapeOfEmbedding(const ShapeQuery& q, std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (in.size() != 1)
    return who(q) + "needs token ids [sequence length], but gets " + shapeText(in);
  for (const char* key : {"vocab", "dim"})
    if (std::string e = positive(q, key); !e.empty()) return e;
  // positions 0: no learned position table (the attention knows order another way).
  if (attr(q, "positions") != 0 && attr(q, "positions") != in[0])
    return who(q) + "has " + std::to_string(attr(q, "positions")) + " positions, gets " +
           std::to_string(in[0]) + " tokens";
  shape = {in[0], attr(q, "dim")};
  return {};
}

std::string shapeOfLayerNorm(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = sequenceOfFeatures(q, "features"); !e.empty()) return e;
  shape = q.inputs[0];
  return {};
}

std::string shapeOfCausalAttention(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = sequenceOfFeatures(q, "dim"); !e.empty()) return e;
  const std::vector<int64_t>& in = q.inputs[0];
  if (std::string e = positive(q, "heads"); !e.empty()) return e;
  if (in[1] % attr(q, "heads") != 0)
    return who(q) + "splits " + std::to_string(in[1]) + " features into " +
           std::to_string(attr(q, "heads")) + " heads: the width must be a multiple";
  shape = in;
  return {};
}

std::string shapeOfAdd(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (q.inputs.size() != 2) return who(q) + "needs two inputs";
  if (q.inputs[0] != q.inputs[1])
    return "the residual branch gives " + shapeText(q.inputs[0]) + " but the shortcut gives " +
           shapeText(q.inputs[1]) + ": add a `shortcut { ... }` that matches";
  shape = q.inputs[0];
  return {};
}

// A 3x3 binomial low-pass, padded by 1, then subsampled by its stride.
std::string shapeOfBlur(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = needImage(q); !e.empty()) return e;
  if (std::string e = positive(q, "stride"); !e.empty()) return e;
  const std::vector<int64_t>& in = q.inputs[0];
  if (std::string e = expectsWidth(q, "channels", in[0], "filters", "channels"); !e.empty())
    return e;
  const int64_t s = attr(q, "stride");
  shape = {in[0], (in[1] - 1) / s + 1, (in[2] - 1) / s + 1};
  return {};
}

std::string shapeOfSqueezeExcite(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = needImage(q); !e.empty()) return e;
  if (std::string e = positive(q, "hidden"); !e.empty()) return e;
  if (std::string e = expectsWidth(q, "channels", q.inputs[0][0], "gates", "channels"); !e.empty())
    return e;
  shape = q.inputs[0];
  return {};
}

// Two inputs of one rank whose dimensions are equal or 1 (NumPy broadcasting
// as ONNX's Mul does it, the batch dimension left out).
std::string shapeOfBroadcast(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (q.inputs.size() != 2) return who(q) + "needs two inputs";
  const std::vector<int64_t>&a = q.inputs[0], &b = q.inputs[1];
  if (a.size() != b.size())
    return who(q) + "cannot broadcast " + shapeText(a) + " with " + shapeText(b);
  shape = a;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
      return who(q) + "cannot broadcast " + shapeText(a) + " with " + shapeText(b);
    shape[i] = std::max(a[i], b[i]);
  }
  return {};
}

// Axis lists of the tensor kinds (`dims`, `perm`): comma-separated numbers.
std::vector<int64_t> axisList(const ShapeQuery& q, const char* key) {
  std::vector<int64_t> values;
  const std::string text = getString(q.attrs, key, "");
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    values.push_back(std::strtoll(text.substr(start, comma - start).c_str(), nullptr, 10));
    start = comma + 1;
  }
  return values;
}

namespace {

int64_t elementsOf(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

// `axis` must name one of the input's axes after the batch.
std::string axisIn(const ShapeQuery& q, const std::vector<int64_t>& in) {
  const int64_t axis = attr(q, "axis");
  if (axis < 0 || axis >= static_cast<int64_t>(in.size()))
    return who(q) + "has no axis " + std::to_string(axis) + " in its " + shapeText(in) + " input";
  return {};
}

} // namespace

std::string shapeOfParameter(const ShapeQuery& q, std::vector<int64_t>& shape) {
  shape = axisList(q, "dims");
  for (int64_t d : shape)
    if (d <= 0) return who(q) + "needs positive dims, not " + shapeText(shape);
  return {};
}

std::string shapeOfReshape(const ShapeQuery& q, std::vector<int64_t>& shape) {
  std::vector<int64_t> dims = axisList(q, "dims");
  if (elementsOf(dims) != elementsOf(q.inputs[0]) || dims.empty())
    return who(q) + "cannot view " + shapeText(q.inputs[0]) + " as " + shapeText(dims);
  shape = dims;
  return {};
}

std::string shapeOfTranspose(const ShapeQuery& q, std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  std::vector<int64_t> perm = axisList(q, "perm"), sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<int64_t>(i)) sorted.clear();
  if (sorted.size() != in.size())
    return who(q) + "needs a permutation of the axes of its " + shapeText(in) + " input";
  shape.clear();
  for (int64_t p : perm)
    shape.push_back(in[static_cast<size_t>(p)]);
  return {};
}

std::string shapeOfConcat(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = axisIn(q, q.inputs[0]); !e.empty()) return e;
  const size_t axis = static_cast<size_t>(attr(q, "axis"));
  shape = q.inputs[0];
  for (size_t i = 1; i < q.inputs.size(); ++i) {
    std::vector<int64_t> in = q.inputs[i];
    if (in.size() != shape.size())
      return who(q) + "joins " + shapeText(shape) + " and " + shapeText(in) + ": ranks differ";
    in[axis] = shape[axis];
    if (in != shape)
      return who(q) + "joins " + shapeText(q.inputs[0]) + " and " + shapeText(q.inputs[i]) +
             " on axis " + std::to_string(axis) + ": the other axes differ";
    shape[axis] += q.inputs[i][axis];
  }
  return {};
}

std::string shapeOfSlice(const ShapeQuery& q, std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (std::string e = axisIn(q, in); !e.empty()) return e;
  const size_t axis = static_cast<size_t>(attr(q, "axis"));
  const int64_t start = attr(q, "start"), end = attr(q, "end");
  if (start < 0 || end <= start || end > in[axis])
    return who(q) + "takes " + std::to_string(start) + ".." + std::to_string(end) + " of axis " +
           std::to_string(axis) + ", which has " + std::to_string(in[axis]);
  shape = in;
  shape[axis] = end - start;
  return {};
}

// [.., M, K] x [.., K, N]; the leading axes are equal or 1 (broadcast).
std::string shapeOfMatMul(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (q.inputs.size() != 2) return who(q) + "needs two inputs";
  const std::vector<int64_t>&a = q.inputs[0], &b = q.inputs[1];
  if (a.size() < 2 || a.size() != b.size() || a[a.size() - 1] != b[b.size() - 2])
    return who(q) + "cannot multiply " + shapeText(a) + " by " + shapeText(b);
  shape = a;
  for (size_t i = 0; i + 2 < a.size(); ++i) {
    if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
      return who(q) + "cannot multiply " + shapeText(a) + " by " + shapeText(b);
    shape[i] = std::max(a[i], b[i]);
  }
  shape.back() = b.back();
  return {};
}

std::string shapeOfSoftmax(const ShapeQuery& q, std::vector<int64_t>& shape) {
  if (std::string e = axisIn(q, q.inputs[0]); !e.empty()) return e;
  shape = q.inputs[0];
  return {};
}

std::string shapeOfCausalMask(const ShapeQuery& q, std::vector<int64_t>& shape) {
  const std::vector<int64_t>& in = q.inputs[0];
  if (in.size() < 2 || in[in.size() - 1] != in[in.size() - 2])
    return who(q) + "masks square [.., T, T] scores, not " + shapeText(in);
  shape = in;
  return {};
}

std::string shapeOfElementwise(const ShapeQuery& q, std::vector<int64_t>& shape) {
  shape = q.inputs[0];
  return {};
}

} // namespace fiver::plan
