// A torch::nn::Module built from the plan's ops: each op with parameters is a
// submodule registered under the op's name; forward walks the ops in order.
// Ops marked channels_last run in NHWC: weights are re-strided once, and an
// input arriving in another layout is converted at the region's border. Ops
// whose dtype is bf16/fp16 run under autocast (norms stay fp32; the output is
// fp32 for the loss). Models of text tasks read int64 token ids [B, T'] and
// write logits [B, T', vocab] (runtime/model/SequenceOps.h).
#pragma once

#include "compiler/plan/Plan.h"
#include "runtime/kernels/FusedProgram.h"
#include "runtime/model/ArchitectureOps.h"
#include "runtime/model/SequenceOps.h"
#include "runtime/profile/OpTimes.h"

#include <torch/torch.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fiver::plan {
enum class OpKind; // compiler/plan/OpKinds.h: only the files that run ops need the table
} // namespace fiver::plan

namespace fiver::runtime {

struct OpBuilders;

class PlanModelImpl : public torch::nn::Module {
public:
  explicit PlanModelImpl(const std::vector<plan::Op>& ops);

  torch::Tensor forward(const torch::Tensor& input);

  const std::vector<plan::Op>& ops() const { return ops_; }
  // The parameters of one op (empty for ops without parameters). A linear
  // tied to an embedding (`tied_to`) lists that embedding's token table as its
  // weight, first, as every linear does; the model holds the table once.
  std::vector<torch::Tensor> parametersOf(const std::string& opName);
  // Every parameter, then every buffer (batch-norm statistics): the state
  // that weight-averaging methods average and swap in for evaluation.
  std::vector<torch::Tensor> stateTensors();
  // The token table a linear op with `tied_to` uses as its weight (throws
  // for any other op).
  const torch::Tensor& tiedWeight(const std::string& linearName) const;
  // The module of an op (nullptr for ops without one).
  std::shared_ptr<torch::nn::Module> moduleOf(const std::string& opName);

  // Residual branches (stochastic depth): the ids of the adds that join a
  // branch to its shortcut (runtime/model/ResidualSkip.h); in
  // training, adds in `dropped` pass only their skip input and their branch
  // is not computed; adds in `keptScales` scale their branch.
  std::vector<int> residualAdds() const;
  void setBranchDrops(std::set<int> dropped, std::map<int, double> keptScales);

  // Replaces batch norm in training mode (synchronized batch norm); an empty
  // function restores the module's own.
  using BatchNormOverride =
      std::function<torch::Tensor(const torch::Tensor&, torch::nn::BatchNorm2dImpl&)>;
  void setBatchNormOverride(BatchNormOverride f) { batchNormOverride_ = std::move(f); }

  // Profiling: while set, each op's forward and backward time in training
  // mode is added to `times`; null turns it off.
  void setOpTimes(OpTimes* times) { opTimes_ = times; }

  // From now on, the conv `convName` (a plan op with `fold_bn`) runs with its
  // batch norm folded into its weights, and the norm is skipped. Called by
  // layer_freezing at the conv's freeze step.
  void foldBatchNorm(const std::string& convName);
  bool isFolded(const std::string& convName) const { return folded_.count(convName) > 0; }
  // Runs every folded conv unfolded again (its norm in the forward pass, so
  // the norm's statistics can be re-estimated) and returns the convs that were
  // folded, for refoldBatchNorms once the re-estimate is done (swa).
  std::set<std::string> unfoldBatchNorms() { return std::exchange(folded_, {}); }
  void refoldBatchNorms(std::set<std::string> convNames) { folded_ = std::move(convNames); }

  // Why some ops compute in another dtype than the plan says (empty when
  // none): mixed precision regions this LibTorch cannot autocast run in fp32.
  const std::string& precisionNote() const { return precisionNote_; }

  // Input sizes seen by forward in training mode, newest last (tests use it).
  std::vector<int64_t> lastInputSize;

private:
  // Each op kind's builder and runner (runtime/model/OpBuilders.cpp) keeps
  // its modules in the lists below.
  friend struct OpBuilders;

  int skipInput(size_t add) const { return skipOf_[add]; }
  int branchInput(size_t add) const;
  std::vector<bool> neededOps(bool drops) const;
  bool isDroppedBranch(size_t op) const;

  BatchNormOverride batchNormOverride_;
  OpTimes* opTimes_ = nullptr;
  std::set<int> droppedBranches_;
  std::map<int, double> branchScales_;
  std::vector<plan::Op> ops_;
  std::vector<int> skipOf_;         // residual add index -> its skip input (-1 for other ops)
  std::vector<plan::OpKind> kinds_; // op index -> its kind
  std::map<std::string, std::shared_ptr<torch::nn::Module>> modules_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  std::vector<torch::nn::Linear> linears_;
  std::vector<SqueezeExcite> gates_;
  std::vector<SequenceEmbedding> embeddings_;
  std::vector<torch::nn::LayerNorm> layerNorms_;
  std::vector<CausalSelfAttention> attentions_;
  std::vector<TiedLinear> tiedLinears_;
  std::vector<torch::Tensor> tensors_; // of `parameter` ops: [1, dims]
  std::set<std::string> folded_;       // convs whose batch norm is folded in
  std::map<std::string, int> opIndex_;
  std::string precisionNote_;
  bool mixed_ = false;     // some op computes in bf16/fp16
  std::vector<int> slot_;  // op index -> index into the vector of its kind
  std::vector<bool> tied_; // op index -> a linear whose slot is in tiedLinears_
  struct FusedOp {
    kernels::FusedProgram program;
    std::vector<torch::Tensor> params;
  };
  std::vector<FusedOp> fused_;
};

TORCH_MODULE(PlanModel);

} // namespace fiver::runtime
