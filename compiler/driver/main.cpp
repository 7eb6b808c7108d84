// 5rc: the FiveR command line.
//
//   5rc check FILE...            diagnostics only (every one `compile` would give); exit 1 on
//   errors 5rc compile FILE [-o PLAN]   recipe -> checked -> graph -> passes -> plan (YAML);
//                                --fuse adds op_fusion, --cost prints step costs
//   5rc run FILE                 compile, then execute the plan with 5rc-exec
//   5rc study FILE               train a study's grid and write its report
//   5rc export RUN -o M.onnx     a finished run's model as ONNX, by 5rc-exec (docs/export.md)
//   5rc explain CODE             the long explanation of a diagnostic code
//   5rc import composer X.yaml   a .5r recipe from a MosaicML Composer config
//
// The compiler runs in this process (no LibTorch: it starts in milliseconds);
// `run` hands the written plan to 5rc-exec, which alone pays LibTorch's start-up.
#include "compiler/composer/ComposerImport.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/diag/DiagnosticJson.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/exec/ExecLauncher.h"
#include "compiler/explain/Explain.h"
#include "compiler/format/Formatter.h"
#include "compiler/pipeline/Compile.h"
#include "compiler/pipeline/PipelineCheck.h"
#include "compiler/plan/Plan.h"
#include "compiler/profile/Profile.h"
#include "compiler/sema/Check.h"
#include "compiler/study/StudyRunner.h"
#include "compiler/support/AtomicFile.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

struct CompileFlags {
  std::string file;
  std::string recipe;
  std::string stdlib;
  std::vector<std::string> dumpAfter;
  std::string dot;
  bool printPipeline = false;
  bool fuse = false;
  bool cost = false;
  std::vector<std::string> sets, adds, drops;
};

// Options that may repeat take one value per use (`--set A --set B`,
// `--dump-after=a,b`): left to CLI11's default, a repeatable option keeps
// reading values and swallows the recipe file that follows it.
void addCompileFlags(CLI::App& cmd, CompileFlags& f) {
  cmd.add_option("file", f.file, "recipe file (.5r)")->required();
  cmd.add_option("--recipe", f.recipe, "recipe to use when the file declares several");
  cmd.add_option("--stdlib", f.stdlib, "standard library folder (default: $FIVER_STDLIB)");
  cmd.add_option("--dump-after", f.dumpAfter, "print the graph after PASS (or 'all')")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd.add_option("--dot", f.dot, "write the final model graph as Graphviz to FILE");
  cmd.add_flag("--print-pipeline", f.printPipeline, "print the passes that will run");
  cmd.add_flag("--fuse,!--no-fuse", f.fuse,
               "fuse groups of elementwise ops into `fused` plan ops (op_fusion; default: off)");
  cmd.add_flag("--cost", f.cost,
               "print FLOPs, parameters and activation bytes per step before and after the "
               "passes, and the schedule's total");
  cmd.add_option("--set", f.sets,
                 "override a setting: --set 'budget 2 epochs' or "
                 "--set budget=2epochs")
      ->allow_extra_args(false);
  cmd.add_option("--add", f.adds,
                 "add a triple: --add 'retrofit training_data dynamic domain "
                 "mixup(alpha: 0.2)'")
      ->allow_extra_args(false);
  cmd.add_option("--drop", f.drops, "drop a method the recipe uses")->allow_extra_args(false);
}

// `key=value` is accepted for settings, as in Hydra; the grammar itself
// separates key and value by a space.
std::string overrideText(const std::string& set) {
  size_t eq = set.find('=');
  if (eq == std::string::npos || set.find('(') < eq) return set;
  std::string value = set.substr(eq + 1);
  // "2epochs" -> "2 epochs": a unit glued to its number.
  size_t digits = value.find_first_not_of("0123456789.");
  if (digits != std::string::npos && digits > 0 && value[digits] != '%' && value[digits] != ' ')
    value.insert(digits, " ");
  return set.substr(0, eq) + " " + value;
}

// Runs sema and the pass pipeline; prints diagnostics to stderr.
// `targetAccuracy`, when given, receives the recipe's `target accuracy >= X`
// (unchanged when the recipe sets none).
std::optional<plan::Plan> compileFile(const CompileFlags& f, double* targetAccuracy = nullptr) {
  SourceManager sm;
  DiagnosticEngine diags;
  CheckRequest req;
  req.path = f.file;
  req.recipe = f.recipe;
  req.stdlibDir = f.stdlib;
  for (const std::string& s : f.sets)
    req.overrides.push_back(overrideText(s));
  for (const std::string& a : f.adds)
    req.overrides.push_back(a);
  req.drops = f.drops;
  std::optional<CheckedRecipe> checked = checkRecipe(req, sm, diags);
  std::optional<plan::Plan> result;
  if (checked && !diags.hasErrors()) {
    CompileOptions opts;
    opts.dumpAfter = f.dumpAfter;
    opts.dumpStream = &std::cout;
    opts.dotFile = f.dot;
    opts.fuse = f.fuse;
    opts.costStream = f.cost ? &std::cout : nullptr;
    opts.printPipeline = f.printPipeline ? &std::cout : nullptr;
    result = compileRecipe(*checked, opts, diags);
    if (targetAccuracy && checked->target.present && checked->target.metric == "accuracy")
      *targetAccuracy = checked->target.value;
  }
  renderDiagnostics(std::cerr, diags, sm);
  if (diags.hasErrors()) return std::nullopt;
  return result;
}

int runCheck(const std::vector<std::string>& files, const std::string& stdlib, bool json) {
  bool failed = false;
  for (const std::string& file : files) {
    SourceManager sm;
    DiagnosticEngine diags;
    CheckRequest req;
    req.path = file;
    req.stdlibDir = stdlib;
    checkFileThroughCompile(req, sm, diags); // what `compile` would report, too
    if (json)
      writeDiagnosticsJson(std::cout, diags);
    else
      renderDiagnostics(std::cerr, diags, sm);
    failed |= diags.hasErrors();
  }
  return failed ? 1 : 0;
}

// Rewrites each file in its canonical layout; with --check only reports the
// files that would change (exit 1).
int runFormat(const std::vector<std::string>& files, bool checkOnly) {
  bool failed = false;
  for (const std::string& file : files) {
    SourceManager sm;
    DiagnosticEngine diags;
    if (!sm.load(file)) {
      std::cerr << "5rc: error: cannot read " << file << "\n";
      failed = true;
      continue;
    }
    const std::string& original = *sm.text(file);
    std::optional<std::string> formatted = formatSource(file, original, diags);
    if (!formatted) {
      renderDiagnostics(std::cerr, diags, sm);
      failed = true;
      continue;
    }
    if (*formatted == original) continue;
    if (checkOnly) {
      std::cout << file << ": not formatted\n";
      failed = true;
    } else if (!writeFileAtomically(file, *formatted)) {
      std::cerr << "5rc: error: cannot write " << file << "\n";
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

// `5rc export`: 5rc-exec writes the model (runtime/export/ExportCommand.h).
CLI::App* addExportCommand(CLI::App& app, ExportOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "export", "write a finished run's model as ONNX (and a LibTorch archive beside it)");
  cmd->add_option("run", o.runDir, "the run's folder (plan.yaml, checkpoint.pt)")->required();
  cmd->add_option("-o,--output", o.output, "the ONNX file to write")->required();
  cmd->add_flag("--fold-bn", o.foldBatchNorm,
                "fold the batch norm of frozen convs (layer_freezing) into them");
  cmd->add_option("--reference", o.reference,
                  "also write the first N test examples (or 'all') and FiveR's logits for them, "
                  "to check the file in another runtime");
  cmd->add_option("--threads", o.threads, "intra-op threads");
  return cmd;
}

// `5rc import composer FILE`: returns the `composer` subcommand.
CLI::App* addImportCommand(CLI::App& app, composer::ComposerImportOptions& o) {
  CLI::App* importCmd = app.add_subcommand("import", "write a recipe from another tool's config");
  importCmd->require_subcommand(1);
  CLI::App* composerCmd = importCmd->add_subcommand(
      "composer", "a .5r recipe from a MosaicML Composer YAML config (its algorithms, optimizer, "
                  "schedule, duration, batch size, seed and precision)");
  composerCmd->add_option("file", o.yamlPath, "Composer YAML config")->required();
  composerCmd->add_option("-o,--output", o.outputPath,
                          "write the recipe to FILE (default: stdout)");
  composerCmd->add_option("--extends", o.extendsPath,
                          "base recipe file providing the task and the model (default: "
                          "recipes/fmnist/baseline.5r)");
  composerCmd->add_option("--stdlib", o.stdlibDir, "standard library folder");
  return composerCmd;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"5rc: compile and run FiveR training-speedup recipes"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "5rc 0.1.0");

  std::vector<std::string> checkFiles;
  std::string checkStdlib;
  CLI::App* check = app.add_subcommand("check", "check recipes and report diagnostics");
  check->add_option("files", checkFiles, "files to check")->required();
  check->add_option("--stdlib", checkStdlib, "standard library folder");
  std::string checkFormat = "text";
  check->add_option("--format", checkFormat, "text (default) or json: one JSON object per file")
      ->check(CLI::IsMember({"text", "json"}));

  CompileFlags compileFlags;
  std::string output;
  CLI::App* compile = app.add_subcommand("compile", "compile a recipe to a plan");
  addCompileFlags(*compile, compileFlags);
  compile->add_option("-o,--output", output, "write the plan to FILE (default: stdout)");

  CompileFlags runFlags;
  ExecOptions exec;
  CLI::App* run = app.add_subcommand("run", "compile a recipe and train with it");
  addCompileFlags(*run, runFlags);
  run->add_option("--out", exec.outDir, "run folder (default: runs/<recipe>)");
  run->add_option("--threads", exec.threads, "intra-op threads (default: all cores)");
  run->add_option("--device", exec.device, "cpu (default), cuda, cuda:N or auto");
  run->add_option("--nproc", exec.nproc, "data-parallel processes on this machine (Gloo)")
      ->check(CLI::Range(1, 256));
  run->add_flag("--resume", exec.resume,
                "continue an interrupted run from its folder's checkpoint.pt");
  run->add_option("--checkpoint-every", exec.checkpointEvery,
                  "checkpoint every N steps (0: only at the end; default 500)")
      ->check(CLI::NonNegativeNumber);
  run->add_flag("--sync-batchnorm", exec.syncBatchNorm,
                "with --nproc: batch-norm statistics over all ranks' examples");
  run->add_option("--timeout", exec.timeout, "seconds a rank waits for the others (default 60)")
      ->check(CLI::Range(1, 86400));
  run->add_option("--max-steps", exec.maxSteps, "stop after N steps (smoke tests)");
  run->add_flag("--quiet", exec.quiet, "no per-epoch lines");
  run->add_flag("--no-prefetch", exec.noPrefetch,
                "load each batch when the step asks for it, not on a background thread");
  run->add_flag("!--no-fused-optimizer", exec.fusedOptimizer,
                "step SGD and AdamW with torch::optim's own kernels (for comparison)");
  run->add_option("--target", exec.targetAccuracy,
                  "report the time to this accuracy (default: the recipe's target)")
      ->check(CLI::Range(0.0, 1.0));
  run->add_option("--tta", exec.tta, "test-time augmentation at evaluation: none or flip")
      ->check(CLI::IsMember({"none", "flip"}));
  run->add_option("--eval-every", exec.evalEvery,
                  "also evaluate every N steps, so the time to the target is read finer than "
                  "once an epoch (evaluation time is not train time)")
      ->check(CLI::PositiveNumber);

  ExportOptions exportOptions;
  CLI::App* exportCmd = addExportCommand(app, exportOptions);

  CompileFlags profileFlags;
  ProfileOptions profileOptions;
  std::string profileFormat = "text";
  CLI::App* profileCmd = app.add_subcommand(
      "profile", "run a few steps and report where the time goes, and the bottleneck");
  addCompileFlags(*profileCmd, profileFlags);
  profileCmd->add_option("--steps", profileOptions.steps, "steps to profile (default 30)")
      ->check(CLI::Range(1, 100000));
  profileCmd->add_option("--threads", profileOptions.threads, "intra-op threads");
  profileCmd->add_option("--device", profileOptions.device, "cpu (default), cuda, cuda:N");
  profileCmd->add_flag("--no-prefetch", profileOptions.noPrefetch,
                       "load each batch when the step asks for it, not on a background thread");
  profileCmd->add_option("--format", profileFormat, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  bool profileRoofline = false;
  profileCmd->add_flag("--roofline", profileRoofline,
                       "show this machine's peak FLOP/s per dtype, bandwidth, and where they come "
                       "from (kernel, when, load, CPU, library versions); needs no recipe");
  profileCmd->add_flag("--remeasure", profileOptions.remeasureRoofline,
                       "with --roofline: measure again instead of reading the cache");
  profileCmd->get_option("file")->required(false); // --roofline needs none

  study::StudyOptions studyOptions;
  CLI::App* studyCmd =
      app.add_subcommand("study", "train a study's recipes and baselines; write the Pareto report");
  studyCmd->add_option("file", studyOptions.file, "file declaring the study (.5r)")->required();
  studyCmd->add_option("--study", studyOptions.study,
                       "study to run when the file declares several");
  studyCmd->add_option("--out", studyOptions.outDir, "report folder (default: studies/<name>)");
  studyCmd->add_option("--threads", studyOptions.threads, "intra-op threads per run");
  studyCmd->add_option("--stdlib", studyOptions.stdlib, "standard library folder");
  studyCmd->add_flag("--merge-environments", studyOptions.mergeEnvironments,
                     "add to a folder whose results were measured in another environment");
  studyCmd->add_flag("--from-results", studyOptions.fromResults,
                     "train nothing: rewrite the report from the folder's results.csv");

  std::vector<std::string> fmtFiles;
  bool fmtCheck = false;
  CLI::App* fmt = app.add_subcommand("fmt", "rewrite recipes in the canonical layout");
  fmt->add_option("files", fmtFiles, "files to format")->required();
  fmt->add_flag("--check", fmtCheck, "only list files that are not formatted (exit 1)");

  std::string code, explainStdlib;
  CLI::App* explainCmd = app.add_subcommand(
      "explain", "explain a diagnostic code or a method; without one, the taxonomy table");
  explainCmd->add_option("what", code, "a code such as E0200, or a method such as ema");
  explainCmd->add_option("--stdlib", explainStdlib, "standard library folder");

  composer::ComposerImportOptions importOptions;
  CLI::App* composerCmd = addImportCommand(app, importOptions);

  CLI11_PARSE(app, argc, argv);

  if (*composerCmd) return composer::runComposerImport(importOptions, std::cout, std::cerr);

  if (*check) return runCheck(checkFiles, checkStdlib, checkFormat == "json");
  if (*explainCmd) return explain(code, explainStdlib, std::cout, std::cerr);
  if (*fmt) return runFormat(fmtFiles, fmtCheck);
  if (*studyCmd) {
    studyOptions.executor = findExecutor(argv[0]);
    return study::runStudy(studyOptions, std::cout, std::cerr);
  }

  if (*exportCmd) return execExport(exportOptions, argv[0]);

  if (*compile) {
    std::optional<plan::Plan> p = compileFile(compileFlags);
    if (!p) return 1;
    if (compileFlags.printPipeline || !compileFlags.dumpAfter.empty() || compileFlags.cost) {
      if (output.empty()) return 0; // the dumps or the costs were the requested output
    }
    std::string text = plan::planToString(*p);
    if (output.empty() || output == "-") {
      std::cout << text;
    } else if (!writeFileAtomically(output, text)) {
      std::cerr << "5rc: error: cannot write plan to " << output << "\n";
      return 1;
    }
    return 0;
  }

  if (*profileCmd) {
    profileOptions.json = profileFormat == "json";
    profileOptions.executor = findExecutor(argv[0]);
    if (profileRoofline) return showRoofline(profileOptions, std::cout, std::cerr);
    if (profileFlags.file.empty()) {
      std::cerr << "5rc profile: error: a recipe file is required (or --roofline)\n";
      return 1;
    }
    std::optional<plan::Plan> p = compileFile(profileFlags);
    if (!p) return 1;
    profileOptions.json = profileFormat == "json";
    profileOptions.stdlib = profileFlags.stdlib;
    profileOptions.executor = findExecutor(argv[0]);
    return profilePlan(*p, profileOptions, std::cout, std::cerr);
  }

  if (*run) {
    double recipeTarget = 0;
    std::optional<plan::Plan> p = compileFile(runFlags, &recipeTarget);
    if (!p) return 1;
    if (exec.outDir.empty()) exec.outDir = (fs::path("runs") / p->recipe).string();
    std::error_code ec;
    fs::create_directories(exec.outDir, ec);
    fs::path planPath = fs::path(exec.outDir) / "plan.yaml";
    if (ec || !writeFileAtomically(planPath.string(), plan::planToString(*p))) {
      std::cerr << "5rc: error: cannot write " << planPath.string() << "\n";
      return 1;
    }
    if (recipeTarget > 1)
      std::cerr << "5rc: warning: target accuracy " << recipeTarget
                << " is not a fraction (write it as a percentage); no time to target\n";
    else if (exec.targetAccuracy <= 0)
      exec.targetAccuracy = recipeTarget;
    return execPlan(planPath.string(), exec, argv[0]);
  }
  return 0;
}
