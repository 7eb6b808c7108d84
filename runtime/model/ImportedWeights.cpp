#include "runtime/model/ImportedWeights.h"

#include "compiler/onnx/OnnxFile.h"
#include "compiler/plan/OpKinds.h"
#include "runtime/model/SequenceOps.h"

#include <torch/torch.h>

#include <stdexcept>

namespace fiver::runtime {

namespace {

using Initializers = std::map<std::string, const onnx::TensorProto*>;

std::string shapeText(at::IntArrayRef dims) {
  std::string out;
  for (int64_t d : dims)
    out += (out.empty() ? "" : "x") + std::to_string(d);
  return out;
}

// A block of rows "name[start:end]" (compiler/onnx: a Slice of an
// initializer), as the name and the bounds; the whole tensor otherwise.
struct RowBlock {
  std::string name;
  int64_t start = 0, end = -1;
};
RowBlock rowBlockOf(const std::string& ref) {
  const size_t open = ref.rfind('['), colon = ref.rfind(':');
  if (ref.empty() || ref.back() != ']' || open == std::string::npos || colon == std::string::npos ||
      colon < open)
    return {ref};
  try {
    return {ref.substr(0, open), std::stoll(ref.substr(open + 1, colon - open - 1)),
            std::stoll(ref.substr(colon + 1, ref.size() - colon - 2))};
  } catch (const std::exception&) {
    return {ref};
  }
}

// The initializer the op's attribute `key` names, as a tensor.
torch::Tensor initializer(const plan::Op& op, const char* key, const Initializers& inits) {
  const std::string name = plan::getString(op.attrs, key, "");
  RowBlock block{name};
  auto it = inits.find(name);
  if (it == inits.end()) {
    block = rowBlockOf(name);
    it = inits.find(block.name);
  }
  if (it == inits.end())
    throw std::runtime_error("op '" + op.name + "' starts from the initializer '" + name +
                             "', which the model file does not hold");
  std::optional<std::vector<float>> values = onnx_import::floatsOf(*it->second);
  if (!values)
    throw std::runtime_error("the initializer '" + name + "' of op '" + op.name +
                             "' is not a float32 tensor of its declared size");
  std::vector<int64_t> dims(it->second->dims().begin(), it->second->dims().end());
  torch::Tensor whole = torch::from_blob(values->data(), dims, torch::kFloat32);
  if (block.end < 0) return whole.clone();
  if (dims.empty() || block.start < 0 || block.end > dims[0] || block.start >= block.end)
    throw std::runtime_error("op '" + op.name + "' reads rows " + std::to_string(block.start) +
                             " to " + std::to_string(block.end) + " of the initializer '" +
                             block.name + "', which has " +
                             std::to_string(dims.empty() ? 0 : dims[0]));
  return whole.slice(0, block.start, block.end).clone();
}

// Copies the initializer `key` names (if the op names one) into `target`,
// keeping the target's layout (channels-last weights stay so).
// How an initializer is fitted to its tensor: summed over input channels
// (`channels: sum`), transposed (a MatMul's [in, out] operand as a linear's
// weight), or viewed with the tensor's dimensions (a `parameter` op's).
enum class Fit { AsIs, SumInputChannels, Transposed, View };

void fill(torch::Tensor& target, const plan::Op& op, const char* key, const Initializers& inits,
          Fit fit = Fit::AsIs) {
  if (!op.attrs.count(key) || !target.defined()) return;
  torch::Tensor value = initializer(op, key, inits);
  if (fit == Fit::SumInputChannels) value = value.sum(1, /*keepdim=*/true);
  if (fit == Fit::Transposed && value.dim() == 2) value = value.t();
  if (fit == Fit::View && value.numel() == target.numel()) value = value.view(target.sizes());
  if (value.sizes() != target.sizes())
    throw std::runtime_error("op '" + op.name + "' has a " + shapeText(target.sizes()) +
                             " tensor, but its initializer '" + plan::getString(op.attrs, key, "") +
                             "' is " + shapeText(value.sizes()));
  torch::NoGradGuard noGrad;
  target.copy_(value);
}

using Children = torch::OrderedDict<std::string, std::shared_ptr<torch::nn::Module>>;

void loadOp(const Children& children, const plan::Op& op, const Initializers& inits) {
  const std::shared_ptr<torch::nn::Module>* child = children.find(op.name);
  if (!child) return; // an op without parameters
  const std::shared_ptr<torch::nn::Module>& module = *child;
  if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(module)) {
    const bool sum = plan::getString(op.attrs, "adapt_input", "") == "sum";
    fill(conv->weight, op, "init_weight", inits, sum ? Fit::SumInputChannels : Fit::AsIs);
    fill(conv->bias, op, "init_bias", inits);
  } else if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(module)) {
    fill(bn->weight, op, "init_weight", inits);
    fill(bn->bias, op, "init_bias", inits);
    fill(bn->running_mean, op, "init_mean", inits);
    fill(bn->running_var, op, "init_var", inits);
  } else if (auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(module)) {
    const bool transposed = plan::getNumber(op.attrs, "init_transposed", 0) != 0;
    fill(linear->weight, op, "init_weight", inits, transposed ? Fit::Transposed : Fit::AsIs);
    fill(linear->bias, op, "init_bias", inits);
  } else if (auto table = std::dynamic_pointer_cast<SequenceEmbeddingImpl>(module)) {
    fill(table->tokenWeight, op, "init_weight", inits);
  } else if (auto norm = std::dynamic_pointer_cast<torch::nn::LayerNormImpl>(module)) {
    fill(norm->weight, op, "init_weight", inits);
    fill(norm->bias, op, "init_bias", inits);
  } else if (plan::isKind(op.kind, plan::OpKind::Parameter)) {
    auto params = module->named_parameters(false);
    if (torch::Tensor* tensor = params.find("weight"))
      fill(*tensor, op, "init_weight", inits, Fit::View);
  }
}

} // namespace

void loadImportedWeights(torch::nn::Module& model, const plan::Plan& plan) {
  const plan::ModelSource& src = plan.modelSource;
  if (src.format.empty() || src.weights != "pretrained") return;
  if (src.format != "onnx")
    throw std::runtime_error("the plan's model comes from a '" + src.format +
                             "' file, which this runtime cannot read");
  // The hash first: a changed file is reported as changed, even when it no
  // longer parses.
  std::optional<std::string> hash = onnx_import::hashOfFile(src.path);
  if (!hash) throw std::runtime_error("cannot read the model's weights from '" + src.path + "'");
  if (*hash != src.hash)
    throw std::runtime_error("'" + src.path +
                             "' changed since the plan was compiled (its hash is " + *hash +
                             ", the plan's " + src.hash + "): compile the recipe again");
  std::string error;
  std::optional<onnx_import::OnnxFile> file = onnx_import::readOnnxFile(src.path, error);
  if (!file) throw std::runtime_error("cannot load the model's weights: " + error);
  const Initializers inits = onnx_import::initializersByName(file->model.graph());
  const Children children = model.named_children();
  for (const plan::Op& op : plan.ops)
    loadOp(children, op, inits);
}

} // namespace fiver::runtime
