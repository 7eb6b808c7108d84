#include "tests/composition/PairRun.h"

#include "runtime/data/Dataset.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <algorithm>
#include <sstream>

namespace fiver::composition {

namespace {

// Three steps of 16 examples: enough for every probe's schedule to act (the
// recipe lines are written for it), small enough for the whole matrix to
// run in CI on two cores.
const std::string kImageTask = std::string(test::kTinyImagesTask) + R"(recipe pair {
  task tiny_images
  model small_cnn(width: 4)
  optimizer sgd(lr: 0.1, momentum: 0.9)
  schedule constant
)";

const std::string kTextTask = std::string(test::kTinyTextTask) + R"(recipe pair {
  task tiny_text
  model tiny_gpt(dim: 16, blocks: 1, heads: 2)
  optimizer adamw(lr: 0.01)
  schedule constant
)";

const char* kTimeline = "  batch_size 16\n  budget 3 steps\n  seed 1\n";

bool fits(const MethodUnderTest& m, InputKind k) {
  return m.fits.count(k) > 0;
}

runtime::TrainOptions quietOptions() {
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.evalEachEpoch = false;
  o.prefetch = false;
  return o;
}

// Checks the recipe and, when `lower`, compiles it to a plan; without
// `lower` an accepted recipe yields an empty plan.
std::optional<plan::Plan> compile(const std::vector<const MethodUnderTest*>& methods,
                                  InputKind kind, CellOutcome& out, bool lower) {
  DiagnosticEngine diags;
  SourceManager sources;
  CheckRequest req;
  req.path = "pair.5r";
  req.text = tinyRecipe(methods, kind);
  req.stdlibDir = test::stdlibDir();
  std::optional<CheckedRecipe> checked = checkRecipe(req, sources, diags);
  std::optional<plan::Plan> p;
  if (checked && !lower) return plan::Plan{};
  if (checked) p = compileRecipe(*checked, {}, diags);
  if (p) return p;
  std::ostringstream os;
  renderDiagnostics(os, diags, sources);
  out.diagnostics = os.str();
  bool conflict = false;
  for (const Diagnostic& d : diags.diagnostics())
    conflict = conflict || d.id == DiagId::MethodConflict;
  // Only a declared conflict may keep a pair from running; anything else the
  // checker says about a recipe of two stdlib lines is a failure.
  if (conflict)
    out.verdict = CellOutcome::Verdict::Conflict;
  else
    out.failures.push_back("the checker rejected the recipe:\n" + out.diagnostics);
  return std::nullopt;
}

} // namespace

std::vector<InputKind> sharedKinds(const std::vector<const MethodUnderTest*>& methods) {
  std::vector<InputKind> kinds;
  for (InputKind k : {InputKind::Image, InputKind::Text})
    if (std::all_of(methods.begin(), methods.end(),
                    [&](const MethodUnderTest* m) { return fits(*m, k); }))
      kinds.push_back(k);
  return kinds;
}

const char* kindName(InputKind kind) {
  return kind == InputKind::Image ? "images" : "text";
}

std::string tinyRecipe(const std::vector<const MethodUnderTest*>& methods, InputKind kind) {
  std::string text = kind == InputKind::Image ? kImageTask : kTextTask;
  text += kTimeline;
  for (const MethodUnderTest* m : methods)
    text += "  " + m->line + "\n";
  return text + "}\n";
}

CellOutcome checkCell(const std::vector<const MethodUnderTest*>& methods, InputKind kind) {
  CellOutcome out;
  compile(methods, kind, out, /*lower=*/false);
  return out;
}

CellOutcome runCell(const std::vector<const MethodUnderTest*>& methods) {
  const std::vector<InputKind> kinds = sharedKinds(methods);
  if (!kinds.empty()) return runCell(methods, kinds.front());
  CellOutcome skipped;
  skipped.verdict = CellOutcome::Verdict::Skipped;
  return skipped;
}

CellOutcome runCell(const std::vector<const MethodUnderTest*>& methods, InputKind kind) {
  CellOutcome out;
  std::optional<plan::Plan> p = compile(methods, kind, out, /*lower=*/true);
  if (!p) return out;
  std::vector<std::pair<const MethodUnderTest*, std::unique_ptr<Probe>>> probes;
  for (const MethodUnderTest* m : methods) {
    if (!m->probe) continue;
    std::string waiver;
    for (const MethodUnderTest* other : methods)
      if (auto it = m->reshapedBy.find(other->name); it != m->reshapedBy.end())
        waiver = m->name + " (reshaped by " + other->name + ": " + it->second + ")";
    if (!waiver.empty()) {
      out.waived.push_back(waiver);
      continue;
    }
    probes.emplace_back(m, m->probe(*p));
  }
  runtime::TrainOptions options = quietOptions();
  for (auto& [m, probe] : probes)
    options.observers.push_back(probe.get());
  try {
    runtime::Dataset data = runtime::loadDataset(p->task, p->training.seed);
    runtime::Trainer trainer(*p, options, &data);
    trainer.fit();
    for (auto& [m, probe] : probes)
      probe->finish(trainer);
  } catch (const std::exception& e) {
    out.failures.push_back(std::string("the run threw: ") + e.what());
    return out;
  }
  for (auto& [m, probe] : probes) {
    for (const std::string& f : probe->failures())
      out.failures.push_back(m->name + ": " + f);
    if (probe->checks() == 0)
      out.failures.push_back(m->name + ": its probe never checked anything");
  }
  return out;
}

} // namespace fiver::composition
