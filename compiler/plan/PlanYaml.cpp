// Plan <-> YAML. Writing is hand-rolled so the text is byte-for-byte
// deterministic (fixed key order, shortest round-trip numbers, strings always
// quoted); reading uses yaml-cpp and names the file, line and column of any
// problem.
#include "compiler/plan/OpKinds.h"
#include "compiler/plan/Plan.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>
#include <type_traits>

namespace fiver::plan {

double getNumber(const ScalarMap& m, const std::string& key, double fallback) {
  auto it = m.find(key);
  return it == m.end() || it->second.isString ? fallback : it->second.number;
}

std::string getString(const ScalarMap& m, const std::string& key, const std::string& fallback) {
  auto it = m.find(key);
  return it == m.end() || !it->second.isString ? fallback : it->second.text;
}

const Method* Plan::findMethod(const std::string& name) const {
  for (const Method& m : methods)
    if (m.name == name) return &m;
  return nullptr;
}

namespace {

// ---- writing ----

// Shortest text that reads back as the same double; YAML spellings for the
// values to_chars would write as "inf" and "nan".
std::string num(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string scalar(const Scalar& s) {
  return s.isString ? quote(s.text) : num(s.number);
}

// Parameter names are identifiers; anything else is quoted so that it cannot
// break the flow map.
std::string key(const std::string& k) {
  bool plain = !k.empty() && (std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_');
  for (unsigned char c : k)
    plain &= std::isalnum(c) || c == '_' || c == '.' || c == '-';
  return plain ? k : quote(k);
}

std::string flowMap(const ScalarMap& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    out += (first ? "" : ", ") + key(k) + ": " + scalar(v);
    first = false;
  }
  return out + "}";
}

template <typename T> std::string flowList(const std::vector<T>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_same_v<T, std::string>)
      out += quote(items[i]);
    else
      out += std::to_string(items[i]); // integers, exactly
  }
  return out + "]";
}

std::string call(const Call& c) {
  return "{kind: " + quote(c.kind) + ", params: " + flowMap(c.params) + "}";
}

// ---- reading ----

class Reader {
public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& what) const {
    std::string where = name_;
    if (n.IsDefined() && n.Mark().line >= 0)
      where += ":" + std::to_string(n.Mark().line + 1) + ":" + std::to_string(n.Mark().column + 1);
    throw PlanError(where + ": invalid plan: " + what);
  }

  YAML::Node need(const YAML::Node& parent, const char* key, const std::string& context) const {
    YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull())
      fail(parent, "missing '" + std::string(key) + "' in " + context);
    return n;
  }

  template <typename T> T as(const YAML::Node& n, const std::string& what) const {
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, what + " has the wrong type");
    }
  }

  template <typename T>
  T get(const YAML::Node& parent, const char* key, const std::string& ctx) const {
    return as<T>(need(parent, key, ctx), ctx + "." + key);
  }

  ScalarMap scalars(const YAML::Node& n, const std::string& ctx) const {
    ScalarMap m;
    if (!n.IsMap()) fail(n, ctx + " must be a map");
    for (const auto& kv : n) {
      std::string key = as<std::string>(kv.first, ctx + " key");
      const YAML::Node& v = kv.second;
      if (!v.IsScalar()) fail(v, ctx + "." + key + " must be a scalar");
      if (v.Tag() == "!")
        m[key] = Scalar::str(v.Scalar());
      else
        m[key] = Scalar::num(as<double>(v, ctx + "." + key));
    }
    return m;
  }

  Call callOf(const YAML::Node& n, const std::string& ctx) const {
    Call c;
    c.kind = get<std::string>(n, "kind", ctx);
    c.params = scalars(need(n, "params", ctx), ctx + ".params");
    return c;
  }

  template <typename T> std::vector<T> list(const YAML::Node& n, const std::string& ctx) const {
    if (!n.IsSequence()) fail(n, ctx + " must be a list");
    std::vector<T> out;
    for (const auto& item : n)
      out.push_back(as<T>(item, ctx + " item"));
    return out;
  }

  const YAML::Node& seq(const YAML::Node& n, const std::string& ctx) const {
    if (!n.IsSequence()) fail(n, ctx + " must be a list");
    return n;
  }

private:
  std::string name_;
};

} // namespace

void writePlan(std::ostream& os, const Plan& p) {
  os << "# FiveR plan: everything the runtime does, decided by the compiler.\n";
  os << "version: " << p.version << "\n";
  os << "recipe: " << quote(p.recipe) << "\n";
  os << "source_hash: " << quote(p.sourceHash) << "\n";
  os << "provenance: " << flowList(p.provenance) << "\n";
  os << "passes: " << flowList(p.passes) << "\n";
  const Task& t = p.task;
  os << "task:\n"
     << "  dataset: " << quote(t.dataset) << "\n"
     << "  path: " << quote(t.path) << "\n"
     << "  input_shape: " << flowList(t.inputShape) << "\n"
     << "  classes: " << t.classes << "\n"
     << "  train_size: " << t.trainSize << "\n"
     << "  test_size: " << t.testSize << "\n"
     << "  metric: " << quote(t.metric) << "\n";
  // Written only when set, so plans without a holdout keep their bytes.
  if (t.holdout > 0) os << "  holdout: " << t.holdout << "\n";
  const Training& tr = p.training;
  os << "training:\n"
     << "  epochs: " << tr.epochs << "\n"
     << "  steps_per_epoch: " << tr.stepsPerEpoch << "\n"
     << "  total_steps: " << tr.totalSteps << "\n"
     << "  batch_size: " << tr.batchSize << "\n"
     << "  eval_batch_size: " << tr.evalBatchSize << "\n"
     << "  seed: " << tr.seed << "\n"
     << "  time_limit_seconds: " << num(tr.timeLimitSeconds) << "\n"
     << "  precision: " << quote(tr.precision) << "\n";
  os << "optimizer: " << call(p.optimizer) << "\n";
  os << "schedule: " << call(p.schedule) << "\n";
  os << "augment:" << (p.augment.empty() ? " []" : "") << "\n";
  for (const Call& a : p.augment)
    os << "  - " << call(a) << "\n";
  os << "ops:" << (p.ops.empty() ? " []" : "") << "\n";
  for (const Op& op : p.ops) {
    os << "  - {id: " << op.id << ", kind: " << quote(op.kind) << ", name: " << quote(op.name)
       << ", inputs: " << flowList(op.inputs) << ", attrs: " << flowMap(op.attrs)
       << ", shape: " << flowList(op.shape) << ", memory_format: " << quote(op.memoryFormat)
       << ", freeze_step: " << op.freezeStep << ", expr: " << quote(op.expr);
    // Written only when it differs from fp32, so plans without mixed precision
    // keep their bytes (and their plan hashes).
    if (op.dtype != "fp32") os << ", dtype: " << quote(op.dtype);
    os << "}\n";
  }
  os << "resolution:" << (p.resolution.empty() ? " []" : "") << "\n";
  for (const ResolutionStage& s : p.resolution)
    os << "  - {start_step: " << s.startStep << ", height: " << s.height << ", width: " << s.width
       << "}\n";
  os << "methods:" << (p.methods.empty() ? " []" : "") << "\n";
  for (const Method& m : p.methods)
    os << "  - {name: " << quote(m.name) << ", triple: " << quote(m.triple)
       << ", params: " << flowMap(m.params) << ", hooks: " << flowList(m.hooks) << "}\n";
  // Written only for imported models, so other plans keep their bytes; the
  // hash makes the plan hash cover the weights.
  const ModelSource& src = p.modelSource;
  if (!src.format.empty())
    os << "model_source: {format: " << quote(src.format) << ", path: " << quote(src.path)
       << ", hash: " << quote(src.hash) << ", weights: " << quote(src.weights) << "}\n";
}

std::string planToString(const Plan& plan) {
  std::ostringstream os;
  writePlan(os, plan);
  return os.str();
}

Plan parsePlan(const std::string& yamlText, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::Exception& e) {
    throw PlanError(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": invalid plan: " + e.msg);
  }
  Reader r(name);
  if (!root.IsMap()) r.fail(root, "the plan must be a map");
  Plan p;
  p.version = r.get<int>(root, "version", "plan");
  if (p.version != kPlanVersion)
    r.fail(root["version"], "version " + std::to_string(p.version) +
                                " is not supported (this "
                                "runtime reads version " +
                                std::to_string(kPlanVersion) + ")");
  p.recipe = r.get<std::string>(root, "recipe", "plan");
  p.sourceHash = r.get<std::string>(root, "source_hash", "plan");
  p.provenance = r.list<std::string>(r.need(root, "provenance", "plan"), "provenance");
  p.passes = r.list<std::string>(r.need(root, "passes", "plan"), "passes");

  YAML::Node t = r.need(root, "task", "plan");
  p.task.dataset = r.get<std::string>(t, "dataset", "task");
  p.task.path = r.get<std::string>(t, "path", "task");
  p.task.inputShape = r.list<int64_t>(r.need(t, "input_shape", "task"), "task.input_shape");
  p.task.classes = r.get<int64_t>(t, "classes", "task");
  p.task.trainSize = r.get<int64_t>(t, "train_size", "task");
  p.task.testSize = r.get<int64_t>(t, "test_size", "task");
  p.task.metric = r.get<std::string>(t, "metric", "task");
  p.task.holdout = t["holdout"].IsDefined() ? r.as<int64_t>(t["holdout"], "task.holdout") : 0;
  if (p.task.holdout < 0) r.fail(t["holdout"], "task.holdout must not be negative");

  YAML::Node tr = r.need(root, "training", "plan");
  p.training.epochs = r.get<int64_t>(tr, "epochs", "training");
  p.training.stepsPerEpoch = r.get<int64_t>(tr, "steps_per_epoch", "training");
  p.training.totalSteps = r.get<int64_t>(tr, "total_steps", "training");
  p.training.batchSize = r.get<int64_t>(tr, "batch_size", "training");
  p.training.evalBatchSize = r.get<int64_t>(tr, "eval_batch_size", "training");
  p.training.seed = r.get<uint64_t>(tr, "seed", "training");
  p.training.timeLimitSeconds = r.get<double>(tr, "time_limit_seconds", "training");
  p.training.precision = r.get<std::string>(tr, "precision", "training");
  if (p.training.batchSize <= 0 || p.training.totalSteps <= 0 || p.training.stepsPerEpoch <= 0)
    r.fail(tr, "batch_size, total_steps and steps_per_epoch must be positive");

  p.optimizer = r.callOf(r.need(root, "optimizer", "plan"), "optimizer");
  p.schedule = r.callOf(r.need(root, "schedule", "plan"), "schedule");
  for (const auto& a : r.seq(r.need(root, "augment", "plan"), "augment"))
    p.augment.push_back(r.callOf(a, "augment"));
  for (const auto& o : r.seq(r.need(root, "ops", "plan"), "ops")) {
    Op op;
    op.id = r.get<int>(o, "id", "op");
    op.kind = r.get<std::string>(o, "kind", "op");
    op.name = r.get<std::string>(o, "name", "op");
    op.inputs = r.list<int>(r.need(o, "inputs", "op"), "op.inputs");
    op.attrs = r.scalars(r.need(o, "attrs", "op"), "op.attrs");
    op.shape = r.list<int64_t>(r.need(o, "shape", "op"), "op.shape");
    op.memoryFormat = r.get<std::string>(o, "memory_format", "op");
    op.freezeStep = r.get<int64_t>(o, "freeze_step", "op");
    op.expr = o["expr"].IsDefined() ? r.as<std::string>(o["expr"], "op.expr") : "";
    op.dtype = o["dtype"].IsDefined() ? r.as<std::string>(o["dtype"], "op.dtype") : "fp32";
    if (op.dtype != "fp32" && op.dtype != "bf16" && op.dtype != "fp16")
      r.fail(o, "op dtype is one of fp32, bf16, fp16, not '" + op.dtype + "'");
    if (op.id != static_cast<int>(p.ops.size())) r.fail(o, "op ids must be 0, 1, 2, ... in order");
    for (int in : op.inputs)
      if (in < 0 || in >= op.id)
        r.fail(o, "op " + std::to_string(op.id) + " reads op " + std::to_string(in) +
                      ", which is not before it");
    p.ops.push_back(std::move(op));
  }
  if (p.ops.empty() || !isKind(p.ops[0].kind, OpKind::Input))
    r.fail(root["ops"], "op 0 must be the input");
  for (const auto& s : r.seq(r.need(root, "resolution", "plan"), "resolution"))
    p.resolution.push_back({r.get<int64_t>(s, "start_step", "resolution"),
                            r.get<int64_t>(s, "height", "resolution"),
                            r.get<int64_t>(s, "width", "resolution")});
  for (const auto& m : r.seq(r.need(root, "methods", "plan"), "methods")) {
    Method method;
    method.name = r.get<std::string>(m, "name", "method");
    method.triple = r.get<std::string>(m, "triple", "method");
    method.params = r.scalars(r.need(m, "params", "method"), "method.params");
    method.hooks = r.list<std::string>(r.need(m, "hooks", "method"), "method.hooks");
    p.methods.push_back(std::move(method));
  }
  if (YAML::Node src = root["model_source"]; src.IsDefined()) {
    p.modelSource.format = r.get<std::string>(src, "format", "model_source");
    p.modelSource.path = r.get<std::string>(src, "path", "model_source");
    p.modelSource.hash = r.get<std::string>(src, "hash", "model_source");
    p.modelSource.weights = r.get<std::string>(src, "weights", "model_source");
  }
  return p;
}

Plan readPlan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PlanError(path + ": cannot read the plan file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parsePlan(buf.str(), path);
}

} // namespace fiver::plan
