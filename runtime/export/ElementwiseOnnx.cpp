#include "runtime/export/ElementwiseOnnx.h"

#include <cmath>

namespace fiver::runtime {

std::string geluOnnx(OnnxGraph& g, const std::string& x, const std::string& hint) {
  const std::string scaled = g.apply(
      "Div", {x, g.scalar(hint + "/sqrt2", static_cast<float>(std::sqrt(2.0)))}, hint + "/scaled");
  const std::string erf = g.apply("Erf", {scaled}, hint + "/erf");
  const std::string onePlus = g.apply("Add", {erf, g.scalar(hint + "/one", 1.0f)}, hint + "/1+erf");
  const std::string half = g.apply("Mul", {x, g.scalar(hint + "/half", 0.5f)}, hint + "/half_x");
  return g.apply("Mul", {half, onePlus}, hint);
}

std::string siluOnnx(OnnxGraph& g, const std::string& x, const std::string& hint) {
  const std::string gate = g.apply("Sigmoid", {x}, hint + "/sigmoid");
  return g.apply("Mul", {x, gate}, hint);
}

} // namespace fiver::runtime
