#include "compiler/sema/ModelExpansion.h"

#include "compiler/plan/OpKinds.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/Params.h"
#include "compiler/sema/Suggest.h"

namespace fiver {

namespace {

// Unrolled repeats beyond this are almost certainly a typo, and would make
// the graph (and the compiler's memory) explode.
constexpr double kMaxRepeat = 256;

class Expander {
public:
  Expander(ParamMap bindings, DiagnosticEngine& diags)
      : bindings_(std::move(bindings)), diags_(diags) {}

  bool expand(const std::vector<ast::Layer>& layers, std::vector<LayerSpec>& out) {
    bool ok = true;
    for (const ast::Layer& l : layers)
      ok &= expandOne(l, out);
    return ok;
  }

private:
  NameLookup lookup() const {
    return [this](const std::string& name) -> std::optional<Value> {
      auto it = bindings_.find(name);
      if (it == bindings_.end()) return std::nullopt;
      return it->second;
    };
  }

  bool expandOne(const ast::Layer& l, std::vector<LayerSpec>& out) {
    switch (l.kind) {
    case ast::Layer::Kind::Residual: {
      LayerSpec spec;
      spec.kind = "residual";
      spec.where = l.range;
      bool ok = expand(l.body, spec.body) && expand(l.shortcut, spec.shortcut);
      out.push_back(std::move(spec));
      return ok;
    }
    case ast::Layer::Kind::Repeat: {
      std::optional<Value> n = evaluate(l.count, lookup(), diags_);
      if (!n) return false;
      if (n->kind != Value::Kind::Number || n->number < 0 || n->number > kMaxRepeat ||
          n->number != static_cast<int64_t>(n->number)) {
        diags_.report(DiagId::ParameterRange, l.count.range,
                      "repeat needs a whole count between 0 and 256, not '" + toString(*n) + "'");
        return false;
      }
      bool ok = true;
      for (int64_t i = 0; i < static_cast<int64_t>(n->number); ++i)
        ok &= expand(l.body, out);
      return ok;
    }
    case ast::Layer::Kind::Simple:
      break;
    }
    const BuiltinTable& layers = builtinLayers();
    auto it = layers.find(l.name.text);
    if (it == layers.end()) {
      Diagnostic& d =
          diags_.report(DiagId::UnknownLayer, l.name.range, "unknown layer '" + l.name.text + "'");
      if (auto near = closestMatch(l.name.text, namesOf(layers)))
        d.fixits.push_back({l.name.range, *near, Applicability::MaybeIncorrect});
      return false;
    }
    LayerSpec spec;
    spec.kind = l.name.text;
    spec.where = l.range;
    if (!checkArguments(l.args, it->second, "layer " + spec.kind, l.range, lookup(), diags_,
                        spec.args))
      return false;
    resolveDefaults(spec);
    out.push_back(std::move(spec));
    return true;
  }

  // Defaults that depend on other arguments: `same` padding, stride = kernel.
  static void resolveDefaults(LayerSpec& spec) {
    using plan::OpKind;
    if (plan::isKind(spec.kind, OpKind::Conv) && spec.args["padding"].number < 0)
      spec.args["padding"] =
          Value::num(static_cast<int64_t>(spec.args["kernel"].number) / 2, Unit::None, true);
    const bool pool =
        plan::isKind(spec.kind, OpKind::MaxPool) || plan::isKind(spec.kind, OpKind::AvgPool);
    if (pool && spec.args["stride"].number == 0) spec.args["stride"] = spec.args["kernel"];
  }

  ParamMap bindings_;
  DiagnosticEngine& diags_;
};

} // namespace

std::optional<ModelSpec> expandModel(const ast::ModelDecl& decl, const std::vector<ast::Arg>& args,
                                     SourceRange useRange, int64_t classes,
                                     DiagnosticEngine& diags) {
  std::vector<ParamSpec> specs;
  for (const ast::ModelParam& p : decl.params) {
    ParamSpec s;
    s.name = p.name.text;
    s.type = p.type.text;
    s.where = p.name.range;
    if (!isKnownParamType(s.type)) {
      diags.report(DiagId::ParameterType, p.type.range, "unknown parameter type '" + s.type + "'");
      return std::nullopt;
    }
    if (p.defaultValue) {
      std::optional<Value> v = evaluate(*p.defaultValue, {}, diags);
      if (!v) return std::nullopt;
      s.defaultValue = *v;
    }
    specs.push_back(std::move(s));
  }
  ModelSpec model;
  model.name = decl.name.text;
  model.where = useRange;
  if (!checkArguments(args, specs, "model " + model.name, useRange, {}, diags, model.args))
    return std::nullopt;
  ParamMap bindings = model.args;
  bindings["classes"] = Value::num(static_cast<double>(classes), Unit::None, true);
  Expander expander(bindings, diags);
  if (!expander.expand(decl.layers, model.layers)) return std::nullopt;
  return model;
}

} // namespace fiver
