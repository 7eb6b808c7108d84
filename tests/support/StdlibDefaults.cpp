#include "tests/support/StdlibDefaults.h"

#include "compiler/ir/TrainingGraph.h"
#include "compiler/lower/Lower.h"
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"

#include <map>

namespace fiver::test {

namespace {

// Every stdlib method's signature, loaded once.
const std::map<std::string, MethodSignature>& signatures() {
  static Program program; // the signatures point into its AST
  static const std::map<std::string, MethodSignature> byName = [] {
    SourceManager sources;
    DiagnosticEngine diags;
    program = loadProgram("<test>", std::string(), std::string(FIVER_TEST_SOURCE_DIR) + "/stdlib",
                          sources, diags);
    std::map<std::string, MethodSignature> out;
    for (const auto& [name, decl] : program.methods)
      if (auto sig = checkMethodDecl(*decl, diags)) out.emplace(name, std::move(*sig));
    return out;
  }();
  return byName;
}

ir::Timeline timelineOf(const plan::Plan& p) {
  ir::Timeline t;
  t.batchSize = p.training.batchSize;
  t.stepsPerEpoch = p.training.stepsPerEpoch;
  t.totalSteps = p.training.totalSteps;
  t.epochs = p.training.epochs;
  return t;
}

} // namespace

plan::ScalarMap withStdlibDefaults(const std::string& method, plan::ScalarMap given,
                                   const plan::Plan& p) {
  auto it = signatures().find(method);
  if (it == signatures().end()) return given; // a test of hooks the stdlib lacks
  for (const ParamSpec& spec : it->second.params) {
    if (given.count(spec.name) || !spec.defaultValue) continue;
    Value v = *spec.defaultValue;
    v.isDuration = spec.type == "duration";
    given[spec.name] = lowerValue(v, timelineOf(p));
  }
  return given;
}

bool declaredForImagesOnly(const std::string& method) {
  auto it = signatures().find(method);
  return it != signatures().end() && it->second.inputs == InputKind::Images;
}

} // namespace fiver::test
