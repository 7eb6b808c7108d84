#include "runtime/export/OnnxExport.h"

#include "compiler/plan/OpKinds.h"
#include "compiler/support/AtomicFile.h"
#include "runtime/export/FoldedAdapters.h"
#include "runtime/export/OnnxGraph.h"
#include "runtime/export/OnnxOpExport.h"

#include <onnx/checker.h>

#include <algorithm>
#include <set>

namespace fiver::runtime {

namespace {

plan::OpKind kindOf(const plan::Op& op) {
  std::optional<plan::OpKind> kind = plan::opKindFromName(op.kind);
  if (!kind) throw OnnxExportError("op '" + op.name + "' has kind '" + op.kind + "', unknown here");
  return *kind;
}

// Token models read int64 ids; image models fp32 pixels.
bool readsTokens(const plan::Plan& plan) {
  return std::any_of(plan.ops.begin(), plan.ops.end(), [](const plan::Op& op) {
    return plan::isKind(op.kind, plan::OpKind::Embedding);
  });
}

std::vector<int64_t> batched(const std::vector<int64_t>& shape) {
  std::vector<int64_t> dims = {-1};
  dims.insert(dims.end(), shape.begin(), shape.end());
  return dims;
}

std::set<std::string> convsToFold(const plan::Plan& plan, PlanModelImpl& model, bool fold) {
  std::set<std::string> convs;
  if (!fold) return convs;
  for (const plan::Op& op : plan.ops)
    if (plan::isKind(op.kind, plan::OpKind::Conv) && model.isFolded(op.name)) convs.insert(op.name);
  return convs;
}

void describe(onnx::ModelProto& m, const plan::Plan& plan, const OnnxExportOptions& options) {
  m.set_ir_version(onnx::IR_VERSION);
  m.set_producer_name("FiveR");
  m.set_producer_version("0.1.0");
  m.set_doc_string("recipe " + plan.recipe + ", exported by 5rc export");
  onnx::OperatorSetIdProto& opset = *m.add_opset_import();
  opset.set_domain("");
  opset.set_version(kOnnxOpset);
  for (const auto& [key, value] : options.metadata) {
    onnx::StringStringEntryProto& entry = *m.add_metadata_props();
    entry.set_key(key);
    entry.set_value(value);
  }
}

} // namespace

OnnxExport exportToOnnx(const plan::Plan& plan, PlanModelImpl& model,
                        const OnnxExportOptions& options) {
  if (plan.ops.empty() || !plan::isKind(plan.ops[0].kind, plan::OpKind::Input))
    throw OnnxExportError("the plan's model does not start with its input");
  torch::NoGradGuard noGrad;
  OnnxExport result;
  describe(result.model, plan, options);
  onnx::GraphProto& graph = *result.model.mutable_graph();
  graph.set_name(plan.recipe.empty() ? "model" : plan.recipe);
  OnnxGraph g(graph);
  onnx::ValueInfoProto& input = *graph.add_input();
  input.set_name(g.uniqueName("input"));
  setTensorType(input, readsTokens(plan) ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT,
                batched(plan.ops[0].shape));
  const std::set<std::string> folded = convsToFold(plan, model, options.foldBatchNorm);
  const FoldedAdapters adapters(plan, model);
  std::vector<std::string> values(plan.ops.size());
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const plan::Op& op = plan.ops[i];
    if (adapters.leftOut(i)) continue;
    if (adapters.valueOf(i) != i) {
      values[i] = values[adapters.valueOf(i)];
      continue;
    }
    OnnxOpContext context{g, model, op, {}, input.name(), folded};
    for (int in : op.inputs)
      context.inputs.push_back(values.at(static_cast<size_t>(in)));
    try {
      values[i] = exportOpToOnnx(kindOf(op), context);
    } catch (const OnnxExportError&) {
      throw;
    } catch (const std::exception& e) {
      throw OnnxExportError("op '" + op.name + "' (" + op.kind + "): " + e.what());
    }
  }
  const std::string logits = g.apply("Identity", {values.back()}, "logits");
  onnx::ValueInfoProto& output = *graph.add_output();
  output.set_name(logits);
  setTensorType(output, onnx::TensorProto::FLOAT, batched(plan.ops.back().shape));
  result.foldedConvs.assign(folded.begin(), folded.end());
  result.foldedAdapters = static_cast<int64_t>(adapters.count());
  result.initializerValues = g.parameterCount();
  return result;
}

void checkOnnxModel(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw OnnxExportError(std::string("the exported model fails ONNX's checker: ") + e.what());
  }
}

void writeOnnxModel(const onnx::ModelProto& model, const std::string& path) {
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw OnnxExportError(path + ": the model cannot be serialized (over 2 GiB?)");
  if (!writeFileAtomically(path, bytes)) throw OnnxExportError(path + ": cannot write");
}

} // namespace fiver::runtime
