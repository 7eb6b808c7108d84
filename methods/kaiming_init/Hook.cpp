#include "methods/kaiming_init/Hook.h"
#include "runtime/methods/HookRegistry.h"

#include "compiler/plan/OpKinds.h"

#include <map>
#include <stdexcept>

namespace fiver::runtime {

std::vector<std::string> residualBranchEndNorms(const std::vector<plan::Op>& ops) {
  std::map<int, size_t> indexOf;
  std::map<int, int> consumers;
  for (size_t i = 0; i < ops.size(); ++i) {
    indexOf[ops[i].id] = i;
    for (int in : ops[i].inputs)
      ++consumers[in];
  }
  std::vector<std::string> norms;
  for (const plan::Op& op : ops) {
    if (!plan::isKind(op.kind, plan::OpKind::Add)) continue;
    for (int in : op.inputs) {
      // The skip input also feeds its branch; only the branch output has the
      // add as its single consumer. Walk back through what it alone feeds.
      for (int id = in; consumers[id] == 1 && indexOf.count(id);) {
        const plan::Op& back = ops[indexOf[id]];
        if (plan::isKind(back.kind, plan::OpKind::BatchNorm)) {
          norms.push_back(back.name);
          break;
        }
        if (back.inputs.size() != 1 || plan::isKind(back.kind, plan::OpKind::Conv) ||
            plan::isKind(back.kind, plan::OpKind::Linear))
          break;
        id = back.inputs[0];
      }
    }
  }
  return norms;
}

void kaimingInitialize(PlanModel& model, const std::string& mode, const std::string& distribution,
                       bool zeroInitResidual) {
  if (mode != "fan_in" && mode != "fan_out")
    throw std::runtime_error("kaiming_init: unknown mode '" + mode + "' (known: fan_in, fan_out)");
  if (distribution != "normal" && distribution != "uniform")
    throw std::runtime_error("kaiming_init: unknown distribution '" + distribution +
                             "' (known: normal, uniform)");
  torch::NoGradGuard noGrad;
  const torch::nn::init::FanModeType fan = mode == "fan_in"
                                               ? torch::nn::init::FanModeType(torch::kFanIn)
                                               : torch::nn::init::FanModeType(torch::kFanOut);
  for (const plan::Op& op : model->ops()) {
    if (!plan::ownsWeightMatrix(op)) continue;
    std::vector<torch::Tensor> params = model->parametersOf(op.name);
    for (torch::Tensor& p : params) {
      if (p.dim() < 2) {
        p.zero_(); // biases start at zero
      } else if (distribution == "normal") {
        torch::nn::init::kaiming_normal_(p, 0, fan, torch::kReLU);
      } else {
        torch::nn::init::kaiming_uniform_(p, 0, fan, torch::kReLU);
      }
    }
  }
  if (!zeroInitResidual) return;
  for (const std::string& name : residualBranchEndNorms(model->ops())) {
    auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(model->moduleOf(name));
    if (bn) bn->weight.zero_();
  }
}

KaimingInit::KaimingInit(std::string mode, std::string distribution, bool zeroInitResidual)
    : mode_(std::move(mode)), distribution_(std::move(distribution)),
      zeroInitResidual_(zeroInitResidual) {}

void KaimingInit::apply(Event, TrainState& s) {
  kaimingInitialize(s.model, mode_, distribution_, zeroInitResidual_);
}

namespace {
const HookRegistrar kHook("kaiming_init", [](const MethodArgs& args) {
  return std::make_unique<KaimingInit>(args.name("mode"), args.name("distribution"),
                                       args.flag("zero_init_residual"));
});
} // namespace

} // namespace fiver::runtime
