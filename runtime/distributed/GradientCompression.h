// Gradient compression for the interconnect bottleneck (restrict derived_data):
// each rank sends a compressed gradient, and what compression loses is kept
// as an error term and added back next step (error feedback), so nothing is
// lost for good. In a single process the same compression still applies, so a
// recipe trains the same way on one process as on many.
#pragma once

#include "runtime/train/Method.h"

#include <map>

namespace fiver::runtime::distributed {

// A method that combines the ranks' gradients itself, in compressed form; data
// parallelism then neither overlaps nor repeats the exchange.
class GradientCompressor : public Method {
public:
  bool reducesGradients() const override { return true; }
};

// Parameters whose gradients the ranks must combine this step: every trainable
// one, with a zero gradient where this rank computed none.
std::vector<torch::Tensor> gradientsToReduce(TrainState& s);

// --- PowerSGD: rank-r approximation P Q^T of each weight-matrix gradient ---
// Vogels, Karimireddy and Jaggi, NeurIPS 2019. Biases and norms (1-D) are
// averaged uncompressed; an m x n matrix costs (m + n) r numbers instead of m n.
class PowerSgd : public GradientCompressor {
public:
  PowerSgd(int64_t rank, int64_t startStep) : rank_(rank), startStep_(startStep) {}
  bool match(Event e, const TrainState& s) const override {
    return e == Event::AfterBackward && s.step >= startStep_;
  }
  void apply(Event e, TrainState& s) override;
  // The error left by the last compression, per parameter (tests).
  const std::map<const void*, torch::Tensor>& errors() const { return error_; }

private:
  int64_t rank_;
  int64_t startStep_;
  std::map<const void*, torch::Tensor> q_;     // by parameter storage
  std::map<const void*, torch::Tensor> error_; // by parameter storage
};

// --- 1-bit (sign) compression with error feedback ---
// Seide et al., Interspeech 2014; Karimireddy et al., ICML 2019 (EF-SignSGD).
// Each gradient becomes its signs (one bit each, packed) and one scale, the
// mean absolute value; ranks exchange them with an all-gather.
class SignCompression : public GradientCompressor {
public:
  explicit SignCompression(int64_t startStep) : startStep_(startStep) {}
  bool match(Event e, const TrainState& s) const override {
    return e == Event::AfterBackward && s.step >= startStep_;
  }
  void apply(Event e, TrainState& s) override;

private:
  int64_t startStep_;
  std::map<const void*, torch::Tensor> error_;
};

// One bit per element, 8 per byte, and back (the sign of zero is +).
torch::Tensor packSigns(const torch::Tensor& x);
torch::Tensor unpackSigns(const torch::Tensor& packed, int64_t numel);

} // namespace fiver::runtime::distributed
