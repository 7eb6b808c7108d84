#include "runtime/export/ExportCommand.h"

#include "compiler/plan/PlanVerifier.h"
#include "runtime/export/OnnxExport.h"
#include "runtime/export/ReferenceOutputs.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Trainer.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace fiver::runtime {

namespace {

namespace fs = std::filesystem;

struct ExportRequest {
  std::string runDir;
  std::string output;
  bool foldBatchNorm = false;
  std::string reference; // "", a count, or "all"
  int threads = 0;
};

// The plan's methods that swap their own weights in for evaluation (ema,
// swa, ...), in the order the trainer holds their hooks.
std::string evaluatedWeights(const plan::Plan& plan, Trainer& trainer) {
  std::string names;
  size_t hook = 0;
  for (const plan::Method& m : plan.methods)
    for (size_t h = 0; h < m.hooks.size(); ++h, ++hook)
      if (hook < trainer.methods().size() &&
          trainer.methods()[hook]->match(Event::EvalStart, trainer.state()) &&
          names.find(m.name) == std::string::npos)
        names += (names.empty() ? "" : ", ") + m.name;
  return names.empty() ? "the trained weights" : "as evaluated, swapped in by " + names;
}

// LibTorch's own archive of the model's parameters and buffers: torch::load
// reads it into the PlanModel built from the run's plan.yaml.
void saveTorchArchive(PlanModel& model, const std::string& path) {
  const std::string temporary = path + ".tmp";
  torch::save(model, temporary);
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) throw OnnxExportError(path + ": cannot write: " + ec.message());
}

int64_t referenceCount(const std::string& text, int64_t all) {
  if (text == "all") return all;
  try {
    size_t used = 0;
    const long long n = std::stoll(text, &used);
    if (used == text.size() && n > 0) return n;
  } catch (const std::exception&) {
  }
  throw OnnxExportError("--reference takes a positive count or 'all', not '" + text + "'");
}

std::string sibling(const std::string& onnxPath, const std::string& suffix) {
  fs::path p(onnxPath);
  return (p.parent_path() / (p.stem().string() + suffix)).string();
}

void writeReference(const ExportRequest& r, const plan::Plan& plan, Trainer& trainer) {
  const Split& test = trainer.data().test;
  const std::string folder = sibling(r.output, ".reference");
  const ReferenceSummary s = writeReferenceOutputs(
      plan, trainer.model(), test, referenceCount(r.reference, test.size()), folder);
  std::printf("reference: %lld test examples in %s: FiveR's accuracy %.2f%% as the run evaluates",
              static_cast<long long>(s.examples), folder.c_str(), s.runAccuracy * 100);
  if (s.accuracy != s.runAccuracy || s.maxAbsDiffFp32 > 0)
    std::printf(", %.2f%% in fp32 (logits differ by up to %.3g)", s.accuracy * 100,
                s.maxAbsDiffFp32);
  std::printf("\n");
}

int exportRun(const ExportRequest& r) {
  const std::string planPath = (fs::path(r.runDir) / "plan.yaml").string();
  const std::string checkpoint = (fs::path(r.runDir) / "checkpoint.pt").string();
  if (!fs::exists(planPath) || !fs::exists(checkpoint))
    throw OnnxExportError(r.runDir + " is not a finished run's folder: it needs plan.yaml and "
                                     "checkpoint.pt (5rc run --out DIR writes both)");
  plan::Plan plan = plan::readPlan(planPath);
  plan::requireConsistentPlan(plan, planPath);
  TrainOptions options;
  options.threads = r.threads;
  options.quiet = true;
  options.prefetch = false;
  options.writeOutputs = false;
  Trainer trainer(plan, options);
  const int64_t step = trainer.restore(checkpoint);
  trainer.enterEvaluation();
  const std::string weights = evaluatedWeights(plan, trainer);
  if (trainer.flipsAtEvaluation())
    std::fprintf(stderr, "5rc export: note: the run averages each image with its mirror at "
                         "evaluation (flip); the exported model computes one image's logits\n");
  if (trainer.translatesAtEvaluation())
    std::fprintf(stderr, "5rc export: note: the run averages each image with shifted copies at "
                         "evaluation (translate_tta); the exported model computes one image's "
                         "logits\n");
  if (!r.reference.empty()) writeReference(r, plan, trainer);
  OnnxExport exported = exportToOnnx(
      plan, *trainer.model(),
      {r.foldBatchNorm,
       {{"recipe", plan.recipe}, {"step", std::to_string(step)}, {"weights", weights}}});
  checkOnnxModel(exported.model);
  writeOnnxModel(exported.model, r.output);
  const std::string archive = sibling(r.output, ".pt");
  saveTorchArchive(trainer.model(), archive);
  trainer.leaveEvaluation();
  std::printf("exported %s at step %lld (weights: %s) to %s: opset %lld, %d nodes, %lld weight "
              "values, checked by onnx::checker\n",
              plan.recipe.c_str(), static_cast<long long>(step), weights.c_str(), r.output.c_str(),
              static_cast<long long>(kOnnxOpset), exported.model.graph().node_size(),
              static_cast<long long>(exported.initializerValues));
  if (r.foldBatchNorm)
    std::printf("batch norm folded into %zu frozen conv(s)%s\n", exported.foldedConvs.size(),
                exported.foldedConvs.empty() ? " (the run froze none)" : "");
  if (exported.foldedAdapters > 0)
    std::printf("low-rank adapters folded into %lld layer(s)\n",
                static_cast<long long>(exported.foldedAdapters));
  std::printf("LibTorch archive of the same weights: %s\n", archive.c_str());
  return 0;
}

} // namespace

int runExportCommand(int argc, char** argv) {
  CLI::App app{"5rc-exec export: a finished run's model as ONNX and as a LibTorch archive"};
  app.name("5rc-exec export");
  ExportRequest r;
  app.add_option("run", r.runDir, "the run's folder (plan.yaml, checkpoint.pt)")->required();
  app.add_option("-o,--output", r.output, "the ONNX file to write")->required();
  app.add_flag("--fold-bn", r.foldBatchNorm,
               "fold the batch norm of frozen convs (layer_freezing) into them");
  app.add_option("--reference", r.reference,
                 "also write the first N test examples (or 'all') and FiveR's logits for them");
  app.add_option("--threads", r.threads, "intra-op threads (default: all cores)");
  CLI11_PARSE(app, argc, argv);
  try {
    return exportRun(r);
  } catch (const std::exception& e) {
    std::cerr << "5rc export: error: " << e.what() << "\n";
    return 1;
  }
}

} // namespace fiver::runtime
