#include "compiler/study/StudyRunner.h"

#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/exec/ExecChild.h"
#include "compiler/pipeline/Compile.h"
#include "compiler/plan/OpCost.h"
#include "compiler/sema/Check.h"
#include "compiler/study/Environment.h"
#include "compiler/study/ParetoPlot.h"
#include "compiler/study/PlanHash.h"
#include "compiler/study/SpeedupsJson.h"
#include "compiler/study/StudyAnalysis.h"
#include "compiler/study/StudyGrid.h"
#include "compiler/study/StudyReport.h"
#include "compiler/study/StudyResults.h"
#include "compiler/support/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace fiver::study {

namespace {

struct CompiledRun {
  RunSpec spec;
  plan::Plan plan;
  std::string hash;
};

std::optional<nlohmann::json> readJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<plan::Plan> compileRun(const StudyOptions& o, const RunSpec& spec,
                                     std::ostream& err) {
  SourceManager sm;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = o.file;
  req.recipe = spec.recipe;
  req.stdlibDir = o.stdlib;
  req.overrides = spec.overrides;
  std::optional<CheckedRecipe> checked = checkRecipe(req, sm, diags);
  std::optional<plan::Plan> p;
  if (checked && !diags.hasErrors()) p = compileRecipe(*checked, CompileOptions{}, diags);
  renderDiagnostics(err, diags, sm);
  if (diags.hasErrors()) return std::nullopt;
  return p;
}

// Refuses a folder whose results were measured elsewhere, unless merging.
bool acceptEnvironment(const fs::path& dir, const Environment& current, bool merge,
                       std::ostream& err) {
  fs::path path = dir / "environment.json";
  nlohmann::json record = current.toJson();
  if (std::optional<nlohmann::json> old = readJson(path)) {
    Environment previous = environmentFromJson(*old);
    if (!(previous == current)) {
      if (!merge) {
        err << "5rc: error: " << path.string()
            << " records another environment; its times are not comparable with this one's\n"
            << "  recorded: " << previous.toJson().dump() << "\n"
            << "  current:  " << current.toJson().dump() << "\n"
            << "  pass --merge-environments to add to it anyway, or --out another folder\n";
        return false;
      }
      nlohmann::json merged = old->value("merged_environments", nlohmann::json::array());
      old->erase("merged_environments");
      merged.push_back(*old);
      record["merged_environments"] = merged;
    } else if (old->contains("merged_environments")) {
      record["merged_environments"] = (*old)["merged_environments"];
    }
  }
  return writeFileAtomically(path.string(), record.dump(2) + "\n");
}

// The model's parameters, counted as `5rc compile --cost` counts them.
int64_t parameterCount(const plan::Plan& plan) {
  int64_t n = 0;
  for (const plan::OpCost& c : plan::planOpCosts(plan, 1))
    n += c.parameters;
  return n;
}

RunRow rowFrom(const CompiledRun& run, const nlohmann::json& summary) {
  RunRow row;
  row.recipe = run.spec.recipe;
  row.variant = run.spec.variant;
  row.budget = run.spec.budget;
  row.seed = run.spec.seed;
  row.planHash = run.hash;
  row.trainSeconds = summary.value("train_seconds", 0.0);
  row.testAccuracy = summary.value("test_accuracy", 0.0);
  row.epochs = summary.value("epochs", int64_t{0});
  row.steps = summary.value("steps", int64_t{0});
  row.evalSplit = summary.value("eval_split", std::string("test"));
  row.holdoutAccuracy = summary.value("holdout_accuracy", 0.0);
  if (summary.contains("flops") && summary["flops"].is_number())
    row.trainFlops = summary["flops"].get<double>();
  row.parameters = parameterCount(run.plan);
  return row;
}

// early_stop: the reference's longest run per seed, read after each epoch.
// Its schedule was fitted to the whole budget, so an early epoch sees a
// learning rate still high: that is why stopping early loses to epoch_count.
std::vector<RunRow> earlyStopRows(const std::vector<CompiledRun>& runs,
                                  const std::map<std::string, nlohmann::json>& summaries,
                                  const std::string& reference, const std::string& variant,
                                  std::string& longestBudget) {
  std::map<uint64_t, const CompiledRun*> longest;
  for (const CompiledRun& r : runs) {
    if (r.spec.recipe != reference || r.spec.variant != variant) continue;
    const CompiledRun*& best = longest[r.spec.seed];
    if (!best || r.plan.training.totalSteps > best->plan.training.totalSteps) best = &r;
  }
  std::vector<RunRow> rows;
  for (const auto& [seed, run] : longest) {
    auto s = summaries.find(run->hash);
    if (s == summaries.end()) continue;
    longestBudget = run->spec.budget;
    for (const nlohmann::json& e : s->second.value("epoch_curve", nlohmann::json::array())) {
      RunRow row;
      row.recipe = reference;
      row.variant = kEarlyStop;
      row.epochs = e.value("epoch", int64_t{0});
      row.budget = "epoch " + std::to_string(row.epochs);
      row.seed = seed;
      row.planHash = run->hash;
      row.trainSeconds = e.value("train_seconds", 0.0);
      // A run with a holdout evaluated it after each epoch, and the test
      // split only at the end: its epochs have no test accuracy.
      row.evalSplit = s->second.value("eval_split", std::string("test"));
      row.testAccuracy = row.evalSplit == "holdout" ? std::nan("") : e.value("test_accuracy", 0.0);
      row.holdoutAccuracy = e.value("holdout_accuracy", 0.0);
      row.steps =
          std::min(row.epochs * run->plan.training.stepsPerEpoch, run->plan.training.totalSteps);
      // The run counted its FLOPs for the whole run only: none per epoch.
      row.parameters = parameterCount(run->plan);
      rows.push_back(row);
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const RunRow& a, const RunRow& b) { return a.epochs < b.epochs; });
  return rows;
}

std::string referenceSeries(const CheckedStudy& study) {
  return seriesName(study.recipes.front(),
                    hasBaseline(study, kEpochCount) ? kEpochCount : kRecipeVariant);
}

std::string earlyStopNoteFor(const std::string& reference, const std::string& longestBudget) {
  return "early_stop: one " + reference + " run per seed" +
         (longestBudget.empty() ? "" : " at " + longestBudget) +
         ", read after each epoch (its schedule was fitted to the whole budget).";
}

ReportContext reportContext(const StudyOptions& o, const CheckedStudy& study,
                            const std::string& metricSplit, int64_t holdout,
                            const std::string& earlyStopNote, const Environment& env) {
  const std::string& refName = study.recipes.front();
  const std::string refSeries = referenceSeries(study);
  ReportContext ctx;
  ctx.studyName = study.name;
  ctx.file = o.file;
  ctx.metric = study.metric;
  ctx.metricSplit = metricSplit;
  ctx.holdout = holdout;
  ctx.reference = refSeries == refName ? refName : refSeries + " (" + refName + ")";
  ctx.earlyStopNote = earlyStopNote;
  ctx.environment = env;
  return ctx;
}

// report.md, speedups.json and the Pareto plot from a study's rows. Returns
// false when one cannot be written (the reason on `err`).
bool writeReportFiles(const fs::path& dir, const CheckedStudy& study,
                      const std::vector<RunRow>& rows, const ReportContext& ctx,
                      std::ostream& err) {
  StudyAnalysis analysis = analyze(aggregate(rows), referenceSeries(study));
  ReportContext context = ctx;
  context.resultsHaveFlops = std::any_of(rows.begin(), rows.end(),
                                         [](const RunRow& r) { return !std::isnan(r.trainFlops); });
  std::ostringstream report;
  writeReport(report, analysis, context);
  if (!writeFileAtomically((dir / "report.md").string(), report.str()) ||
      !writeFileAtomically((dir / "speedups.json").string(),
                           speedupsJson(analysis, ctx.reference).dump(2) + "\n")) {
    err << "5rc: error: cannot write the report into " << dir.string() << "\n";
    return false;
  }
  std::string plotError;
  if (!drawParetoPlot(analysis,
                      "Study " + study.name + ": time vs " + ctx.metricSplit + " " + study.metric,
                      dir.string(), plotError)) {
    err << "5rc: error: " << plotError << "\n";
    return false;
  }
  return true;
}

// --from-results: the report again from the folder's results.csv and
// environment.json, training and rewriting nothing else, so a committed
// study is re-read under a newer analysis without rerunning it.
int reanalyzeStudy(const StudyOptions& o, const CheckedStudy& study, const fs::path& dir,
                   std::ostream& out, std::ostream& err) {
  std::vector<RunRow> rows;
  std::ifstream csv(dir / "results.csv");
  std::string error;
  if (!csv) error = "cannot read it";
  if (!csv || !readResultsCsv(csv, rows, error)) {
    err << "5rc: error: " << (dir / "results.csv").string() << ": " << error << "\n";
    return 1;
  }
  std::optional<nlohmann::json> envJson = readJson(dir / "environment.json");
  if (!envJson) {
    err << "5rc: error: " << (dir / "environment.json").string()
        << " is missing or malformed: the report states the environment its times come from\n";
    return 1;
  }
  const bool heldOut = std::any_of(rows.begin(), rows.end(),
                                   [](const RunRow& r) { return r.evalSplit == "holdout"; });
  // The holdout's size is the reference recipe's setting; results.csv has no column for it.
  int64_t holdout = 0;
  if (heldOut) {
    RunSpec spec{study.recipes.front(), kRecipeVariant, "", 0, {}};
    if (std::optional<plan::Plan> p = compileRun(o, spec, err)) holdout = p->task.holdout;
  }
  std::string earlyStopNote;
  auto early = std::find_if(rows.begin(), rows.end(),
                            [](const RunRow& r) { return r.variant == kEarlyStop; });
  if (early != rows.end()) {
    auto longest = std::find_if(rows.begin(), rows.end(), [&](const RunRow& r) {
      return r.variant != kEarlyStop && r.planHash == early->planHash;
    });
    earlyStopNote =
        earlyStopNoteFor(study.recipes.front(), longest != rows.end() ? longest->budget : "");
  }
  ReportContext ctx = reportContext(o, study, heldOut ? "holdout" : "test", holdout, earlyStopNote,
                                    environmentFromJson(*envJson));
  ctx.reanalyzedRows = rows.size();
  if (!writeReportFiles(dir, study, rows, ctx, err)) return 1;
  out << "report: " << (dir / "report.md").string() << " (re-analysed " << rows.size()
      << " rows of results.csv)\n";
  return 0;
}

} // namespace

int runStudy(const StudyOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<CheckedStudy> study;
  std::optional<CheckedRecipe> reference;
  {
    SourceManager sm;
    DiagnosticEngine diags;
    CheckRequest req;
    req.path = o.file;
    req.recipe = o.study;
    req.stdlibDir = o.stdlib;
    study = checkStudy(req, sm, diags);
    if (study && !diags.hasErrors()) {
      req.recipe = study->recipes.front();
      reference = checkRecipe(req, sm, diags);
    }
    renderDiagnostics(err, diags, sm);
    if (!study || !reference || diags.hasErrors()) return 1;
  }

  fs::path dir = o.outDir.empty() ? fs::path("studies") / study->name : fs::path(o.outDir);
  if (o.fromResults) return reanalyzeStudy(o, *study, dir, out, err);
  std::error_code ec;
  fs::create_directories(dir / "runs", ec);
  if (ec) {
    err << "5rc: error: cannot create " << (dir / "runs").string() << ": " << ec.message() << "\n";
    return 1;
  }
  Environment env = currentEnvironment(o.threads);
  if (!acceptEnvironment(dir, env, o.mergeEnvironments, err)) return 1;

  std::vector<CompiledRun> runs;
  for (RunSpec& spec : expandGrid(*study, reference->model)) {
    std::optional<plan::Plan> p = compileRun(o, spec, err);
    if (!p) {
      err << "5rc: error: " << spec.recipe << " (" << spec.variant << ", " << spec.budget
          << ", seed " << spec.seed << ") does not compile\n";
      return 1;
    }
    std::string hash = planHash(*p);
    runs.push_back({std::move(spec), std::move(*p), std::move(hash)});
  }
  // Qualities compare only when measured on the same examples.
  const int64_t holdout = runs.empty() ? 0 : runs.front().plan.task.holdout;
  for (const CompiledRun& r : runs)
    if (r.plan.task.holdout != holdout) {
      err << "5rc: error: " << r.spec.recipe << " holds out " << r.plan.task.holdout
          << " training examples and " << runs.front().spec.recipe << " " << holdout
          << ": a study's recipes must set the same `holdout` (or none), or their "
             "accuracies are measured on different examples\n";
      return 1;
    }
  const std::string metricSplit = holdout > 0 ? "holdout" : "test";

  // Identical plans are one experiment: train each hash once.
  std::map<std::string, nlohmann::json> summaries;
  std::vector<const CompiledRun*> toTrain;
  for (const CompiledRun& r : runs) {
    if (summaries.count(r.hash)) continue;
    if (std::optional<nlohmann::json> s = readJson(dir / "runs" / r.hash / "summary.json")) {
      summaries[r.hash] = *s;
      continue;
    }
    summaries[r.hash] = nullptr; // claimed; filled in when trained
    toTrain.push_back(&r);
  }
  size_t reused = 0;
  for (const auto& [hash, s] : summaries)
    reused += !s.is_null();
  out << "study " << study->name << ": " << runs.size() << " runs, " << summaries.size()
      << " distinct plans, " << reused << " already done, " << toTrain.size() << " to train\n";

  bool failed = false;
  for (size_t i = 0; i < toTrain.size(); ++i) {
    const CompiledRun& r = *toTrain[i];
    fs::path runDir = dir / "runs" / r.hash;
    fs::create_directories(runDir, ec);
    fs::path planPath = runDir / "plan.yaml";
    out << "[" << i + 1 << "/" << toTrain.size() << "] "
        << seriesName(r.spec.recipe, r.spec.variant) << " @ " << r.spec.budget << ", seed "
        << r.spec.seed << " (" << r.hash << ") ... " << std::flush;
    if (!writeFileAtomically(planPath.string(), plan::planToString(r.plan))) {
      err << "5rc: error: cannot write " << planPath.string() << "\n";
      return 1;
    }
    std::vector<std::string> args = {planPath.string(), "--out", runDir.string(), "--quiet"};
    if (o.threads > 0) args.insert(args.end(), {"--threads", std::to_string(o.threads)});
    int rc = runChild(o.executor, args, (runDir / "exec.log").string());
    std::optional<nlohmann::json> s = readJson(runDir / "summary.json");
    if (rc != 0 || !s) {
      out << "failed\n";
      err << "5rc: error: " << o.executor << " exited with " << rc << "; see "
          << (runDir / "exec.log").string() << "\n";
      failed = true;
      summaries.erase(r.hash);
      continue;
    }
    summaries[r.hash] = *s;
    char line[96];
    std::snprintf(line, sizeof line, "%.2f%% %s in %.1f s\n",
                  s->value(metricSplit + "_accuracy", 0.0) * 100, metricSplit.c_str(),
                  s->value("train_seconds", 0.0));
    out << line << std::flush;
  }

  std::vector<RunRow> rows;
  for (const CompiledRun& r : runs) {
    auto s = summaries.find(r.hash);
    if (s != summaries.end() && !s->second.is_null()) rows.push_back(rowFrom(r, s->second));
  }
  const std::string& refName = study->recipes.front();
  std::string refVariant = hasBaseline(*study, kEpochCount) ? kEpochCount : kRecipeVariant;
  std::string earlyStopNote;
  if (hasBaseline(*study, kEarlyStop)) {
    std::string longest;
    std::vector<RunRow> early = earlyStopRows(runs, summaries, refName, refVariant, longest);
    rows.insert(rows.end(), early.begin(), early.end());
    if (!early.empty()) earlyStopNote = earlyStopNoteFor(refName, longest);
  }

  if (!writeFileAtomically((dir / "results.csv").string(),
                           [&] {
                             std::ostringstream s;
                             writeResultsCsv(s, rows);
                             return s.str();
                           }()) ||
      !writeFileAtomically((dir / "results.json").string(), [&] {
        std::ostringstream s;
        writeResultsJson(s, rows);
        return s.str();
      }())) {
    err << "5rc: error: cannot write the results into " << dir.string() << "\n";
    return 1;
  }

  ReportContext ctx = reportContext(o, *study, metricSplit, holdout, earlyStopNote, env);
  ctx.runsExecuted = toTrain.size();
  ctx.runsReused = reused;
  if (!writeReportFiles(dir, *study, rows, ctx, err)) failed = true;
  out << "report: " << (dir / "report.md").string() << "\n";
  return failed ? 1 : 0;
}

} // namespace fiver::study
