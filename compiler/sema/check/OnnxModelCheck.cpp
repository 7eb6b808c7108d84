// `model onnx("file.onnx", weights: ..., head: ..., channels: ...)`: a model
// imported from ONNX (compiler/onnx), fitted to the recipe's task. The file
// resolves relative to the recipe; what cannot be imported or fitted is
// reported at the file's argument.
#include "compiler/sema/check/RecipeChecker.h"

#include "compiler/onnx/OnnxImport.h"
#include "compiler/sema/Params.h"

#include <filesystem>

namespace fiver::check {

namespace {

namespace fs = std::filesystem;
using onnx_import::ImportedModel;
using onnx_import::ImportedOp;

ParamSpec choice(std::string name, std::string def) {
  return ParamSpec{std::move(name), "name", Value::ident(std::move(def)), {}, {}, {}};
}

const std::vector<ParamSpec>& onnxParams() {
  static const std::vector<ParamSpec> specs = {
      ParamSpec{"file", "string", std::nullopt, {}, {}, {}},
      choice("weights", "pretrained"), // or random: fresh initialization
      choice("head", "keep"),          // or replace: a new classifier for the task's classes
      choice("channels", "keep"),      // or sum: a 1-channel task into an RGB model
  };
  return specs;
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::string out;
  for (int64_t d : s)
    out += (out.empty() ? "" : "x") + (d < 0 ? std::string("?") : std::to_string(d));
  return out.empty() ? "scalar" : out;
}

// Where argument `name` is written (the call when it is left out).
SourceRange argRange(const std::vector<ast::Arg>& args, const std::string& name, SourceRange call) {
  for (size_t i = 0; i < args.size(); ++i)
    if ((args[i].name && args[i].name->text == name) || (!args[i].name && i == 0 && name == "file"))
      return args[i].value.range;
  return call;
}

// The ops that read op `index` (a `parameter` reads the input only for
// the batch size).
std::vector<size_t> readersOf(const ImportedModel& m, int index) {
  std::vector<size_t> readers;
  for (size_t i = 0; i < m.ops.size(); ++i)
    for (int in : m.ops[i].inputs)
      if (in == index && m.ops[i].kind != "parameter") readers.push_back(i);
  return readers;
}

// Read here without the plan library (the fuzz build compiles sema alone).
double number(const ImportedOp& op, const char* key) {
  auto it = op.attrs.find(key);
  return it == op.attrs.end() ? 0 : it->second.number;
}

} // namespace

// A text model reads token ids [T]: the task's sequences, of its length.
bool RecipeChecker::fitImportedTokens(const ImportedModel& m, const TaskSpec& task,
                                      SourceRange at) {
  const std::string file = fs::path(m.path).filename().string();
  const bool length = m.inputShape.size() == 1 && task.inputShape.size() == 1 &&
                      (m.inputShape[0] < 0 || m.inputShape[0] == task.inputShape[0]);
  if (length) return true;
  diags_.report(DiagId::OnnxInputMismatch, at,
                "'" + file + "' reads token ids of shape " + shapeText(m.inputShape) +
                    ", but task '" + task.name + "' gives inputs of shape " +
                    shapeText(task.inputShape) +
                    ": a text model needs a text task of its sequence length");
  return false;
}

// A grayscale task into an RGB model: the first convolution's weights are
// summed over its input channels (when the run loads them), which is the same
// as feeding it the gray image in every channel.
bool RecipeChecker::fitImportedInput(ImportedModel& m, const std::string& channels,
                                     const TaskSpec& task, SourceRange at) {
  const std::string file = fs::path(m.path).filename().string();
  if (m.tokens) return fitImportedTokens(m, task, at);
  if (task.inputShape.size() != 3 || m.inputShape.size() != 3) {
    diags_.report(DiagId::OnnxInputMismatch, at,
                  "task '" + task.name + "' gives inputs of shape " + shapeText(task.inputShape) +
                      ", but '" + file + "' reads " + shapeText(m.inputShape) +
                      ": FiveR imports image models (a batch of CxHxW images) for image tasks");
    return false;
  }
  const int64_t want = m.inputShape[0], have = task.inputShape[0];
  if (want == have || want < 0) return true;
  std::vector<size_t> readers = readersOf(m, 0);
  const bool oneConv = readers.size() == 1 && m.ops[readers[0]].kind == "conv" &&
                       number(m.ops[readers[0]], "groups") <= 1;
  if (channels == "sum" && have == 1 && oneConv) {
    ImportedOp& conv = m.ops[readers[0]];
    conv.attrs["in"] = plan::Scalar::num(1);
    conv.attrs["adapt_input"] = plan::Scalar::str("sum");
    return true;
  }
  Diagnostic& d =
      diags_.report(DiagId::OnnxInputMismatch, at,
                    "'" + file + "' reads " + std::to_string(want) + "-channel images, but task '" +
                        task.name + "' gives " + std::to_string(have) + "-channel ones");
  if (channels == "sum" && have != 1)
    d.notes.push_back({{}, "`channels: sum` adapts a one-channel task only"});
  else if (channels == "sum")
    d.notes.push_back({{},
                       "`channels: sum` needs the input to feed exactly one ungrouped "
                       "convolution, whose weights it sums"});
  else if (have == 1)
    d.notes.push_back({{},
                       "add `channels: sum` to sum the first convolution's weights over "
                       "its input channels"});
  return false;
}

// The classifier: the last op must give the task's classes, or be a linear
// layer that `head: replace` swaps for a fresh one of the right width.
bool RecipeChecker::fitImportedHead(ImportedModel& m, const std::string& head, const TaskSpec& task,
                                    SourceRange at) {
  const std::string file = fs::path(m.path).filename().string();
  ImportedOp& last = m.ops.back();
  if (last.kind != "linear") {
    if (head == "keep") return true; // the graph builder checks the output's shape
    diags_.report(DiagId::OnnxHeadMismatch, at,
                  "`head: replace` swaps a final linear layer, but '" + file + "' ends in '" +
                      last.kind + "' (node '" + last.node + "')");
    return false;
  }
  const auto outputs = static_cast<int64_t>(number(last, "out"));
  // A replaced head starts fresh even when its width already fits.
  if (head == "replace") {
    last.attrs["out"] = plan::Scalar::num(static_cast<double>(task.classes));
    last.attrs.erase("init_weight");
    last.attrs.erase("init_bias");
    return true;
  }
  if (outputs == task.classes) return true;
  Diagnostic& d =
      diags_.report(DiagId::OnnxHeadMismatch, at,
                    "'" + file + "' predicts " + std::to_string(outputs) + " classes, but task '" +
                        task.name + "' has " + std::to_string(task.classes));
  d.notes.push_back({{},
                     "add `head: replace` to train a new final linear layer for " +
                         std::to_string(task.classes) + " classes"});
  return false;
}

void RecipeChecker::checkImportedModel(const ast::RecipeItem& item,
                                       const std::vector<ast::Arg>& args, CheckedRecipe& out) {
  const SourceRange call = item.value.range;
  ParamMap params;
  if (!checkArguments(args, onnxParams(), "model onnx", call, {}, diags_, params)) return;
  const std::map<std::string, std::vector<std::string>> choices = {
      {"weights", {"pretrained", "random"}},
      {"head", {"keep", "replace"}},
      {"channels", {"keep", "sum"}}};
  for (const auto& [name, allowed] : choices) {
    const std::string& given = params.at(name).text;
    if (std::find(allowed.begin(), allowed.end(), given) == allowed.end())
      return (void)diags_.report(DiagId::ParameterType, argRange(args, name, call),
                                 "'" + name + "' of model onnx is " + allowed[0] + " or " +
                                     allowed[1] + ", not '" + given + "'");
  }
  const SourceRange fileAt = argRange(args, "file", call);
  fs::path file = params.at("file").text;
  if (file.is_relative()) file = fs::path(call.begin.file).parent_path() / file;
  onnx_import::ImportResult imported = onnx_import::importOnnxFile(file.string());
  if (!imported.model)
    return (void)diags_.report(imported.problem.id, fileAt, imported.problem.message);
  ImportedModel& m = *imported.model;
  m.weights = params.at("weights").text;
  if (!fitImportedInput(m, params.at("channels").text, out.task, fileAt)) return;
  if (!fitImportedHead(m, params.at("head").text, out.task, fileAt)) return;
  out.model.name = "onnx";
  out.model.args = std::move(params);
  out.model.where = call;
  out.model.imported = std::move(m);
}

} // namespace fiver::check
