// Checkpoints: a run killed at an arbitrary moment and resumed ends with the
// same weights, bit for bit, as a run that was never interrupted; damaged or
// foreign checkpoint files are refused with the file and the byte offset.
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fiver::runtime {
namespace {

namespace fs = std::filesystem;
using testing::addMethod;
using testing::tinyCnnPlan;

// Freezing, weight averaging, resolution stages and mixing: every kind of
// state a resume must carry.
plan::Plan statefulPlan() {
  plan::Plan p = tinyCnnPlan({.totalSteps = 120});
  p.resolution = {{0, 20, 20}, {40, 28, 28}};
  for (plan::Op& op : p.ops)
    if (op.name == "conv1" || op.name == "bn1") op.freezeStep = 70;
  addMethod(p, "progressive_resize");
  addMethod(p, "layer_freezing");
  addMethod(p, "mixup", {{"alpha", plan::Scalar::num(0.4)}});
  addMethod(p, "ema", {{"half_life", plan::Scalar::num(10)}});
  return p;
}

TrainOptions options(const fs::path& out, int64_t every, bool resume) {
  TrainOptions o;
  o.outDir = out.string();
  o.threads = 1;
  o.quiet = true;
  o.checkpointEvery = every;
  o.resume = resume;
  return o;
}

fs::path freshDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("fiver-ckpt-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<torch::Tensor> finalState(const plan::Plan& p, const TrainOptions& o) {
  Trainer t(p, o);
  t.fit();
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& s : t.model()->stateTensors())
    out.push_back(s.clone());
  return out;
}

TEST(CheckpointTest, AKilledRunResumesToTheUninterruptedWeights) {
  const plan::Plan p = statefulPlan();
  fs::path killed = freshDir("killed"), straight = freshDir("straight");
  // The run is killed by SIGKILL mid-training: no cleanup, no final save.
  pid_t child = fork();
  if (child == 0) {
    std::thread([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
      std::raise(SIGKILL);
    }).detach();
    Trainer t(p, options(killed, 7, false));
    t.fit();
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(fs::exists(killed / "checkpoint.pt")) << "killed before its first checkpoint";
  const bool wasKilled = WIFSIGNALED(status);

  std::vector<torch::Tensor> resumed = finalState(p, options(killed, 7, true));
  std::vector<torch::Tensor> uninterrupted = finalState(p, options(straight, 0, false));
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (size_t i = 0; i < resumed.size(); ++i)
    EXPECT_TRUE(torch::equal(resumed[i], uninterrupted[i])) << "state tensor " << i;

  // The metrics log goes on where the checkpoint was: each step logged once.
  std::ifstream log(killed / "metrics.jsonl");
  std::vector<int64_t> trainSteps;
  for (std::string line; std::getline(log, line);) {
    auto record = nlohmann::json::parse(line);
    if (record["event"] == "train") trainSteps.push_back(record["step"].get<int64_t>());
  }
  ASSERT_FALSE(trainSteps.empty());
  for (size_t i = 1; i < trainSteps.size(); ++i)
    EXPECT_LT(trainSteps[i - 1], trainSteps[i]);
  EXPECT_EQ(trainSteps.back(), 120);
  if (!wasKilled) GTEST_LOG_(INFO) << "the run finished before the kill; resumed from its end";
  fs::remove_all(killed);
  fs::remove_all(straight);
}

TEST(CheckpointTest, StoppingAndResumingAtEveryFewStepsIsExact) {
  const plan::Plan p = statefulPlan();
  fs::path split = freshDir("split"), straight = freshDir("whole");
  for (int64_t stop : {13, 40, 77}) {
    TrainOptions o = options(split, 0, true);
    o.maxSteps = stop;
    Trainer(p, o).fit();
  }
  std::vector<torch::Tensor> resumed = finalState(p, options(split, 0, true));
  std::vector<torch::Tensor> uninterrupted = finalState(p, options(straight, 0, false));
  for (size_t i = 0; i < resumed.size(); ++i)
    EXPECT_TRUE(torch::equal(resumed[i], uninterrupted[i])) << "state tensor " << i;
  fs::remove_all(split);
  fs::remove_all(straight);
}

// A run stopped in the middle of an epoch records that epoch once, when the
// resumed run finishes it; its wall time and FLOPs cover both processes.
TEST(CheckpointTest, AResumedRunRecordsEachEpochOnce) {
  const plan::Plan p = statefulPlan();
  ASSERT_GE(p.training.epochs, 2);
  fs::path dir = freshDir("epochs");
  TrainOptions first = options(dir, 0, true);
  first.maxSteps = p.training.stepsPerEpoch + 3;
  const TrainResult cut = Trainer(p, first).fit();
  const TrainResult r = Trainer(p, options(dir, 0, true)).fit();
  ASSERT_EQ(static_cast<int64_t>(r.epochs.size()), p.training.epochs);
  for (size_t i = 0; i < r.epochs.size(); ++i)
    EXPECT_EQ(r.epochs[i].epoch, static_cast<int64_t>(i + 1));
  EXPECT_GE(r.totalSeconds, cut.totalSeconds);
  EXPECT_GE(r.totalSeconds, r.trainSeconds);
  // The FLOPs before the checkpoint are carried over as they were counted;
  // evaluation's too, so both processes' evaluations count: the cut run's
  // last one (of the epoch under way) is one more than the whole run's.
  fs::path straight = freshDir("epochs_whole");
  const TrainResult whole = Trainer(p, options(straight, 0, false)).fit();
  EXPECT_DOUBLE_EQ(r.flops, whole.flops);
  EXPECT_EQ(r.trainFlopsByKind, whole.trainFlopsByKind);
  ASSERT_GT(whole.evalFlops, 0);
  const double oneEvaluation = whole.evalFlops / static_cast<double>(whole.evaluations.size());
  EXPECT_DOUBLE_EQ(r.evalFlops, whole.evalFlops + oneEvaluation);
  fs::remove_all(dir);
  fs::remove_all(straight);
}

std::string loadError(const plan::Plan& p, const fs::path& out) {
  try {
    Trainer(p, options(out, 0, true)).fit();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointTest, DamagedAndForeignCheckpointsAreRefusedWithTheOffset) {
  plan::Plan p = tinyCnnPlan({.totalSteps = 4});
  fs::path dir = freshDir("damaged");
  Trainer(p, options(dir, 0, false)).fit();
  const fs::path file = dir / "checkpoint.pt";
  const auto size = fs::file_size(file);
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto rewrite = [&](const std::string& content) {
    std::ofstream(file, std::ios::binary) << content;
  };

  rewrite(bytes.substr(0, size / 2));
  std::string e = loadError(p, dir);
  EXPECT_NE(e.find("checkpoint.pt: truncated at byte " + std::to_string(size / 2)),
            std::string::npos)
      << e;

  std::string flipped = bytes;
  flipped[size - 10] = static_cast<char>(flipped[size - 10] ^ 0x5a);
  rewrite(flipped);
  e = loadError(p, dir);
  EXPECT_NE(e.find("corrupt"), std::string::npos) << e;

  rewrite("PK\x03\x04 something else entirely, long enough to hold a header");
  e = loadError(p, dir);
  EXPECT_NE(e.find("byte 0: not a FiveR checkpoint"), std::string::npos) << e;

  rewrite(bytes);
  plan::Plan other = p;
  other.training.seed += 1;
  e = loadError(other, dir);
  EXPECT_NE(e.find("written for another plan"), std::string::npos) << e;
  fs::remove_all(dir);
}

// A checkpoint names its plan by this fingerprint: the value was computed
// before the hash moved to one shared helper (the plan's YAML changing
// changes it too, and then old checkpoints rightly belong to another plan).
TEST(CheckpointTest, PlanFingerprintIsStable) {
  EXPECT_EQ(planFingerprint(plan::Plan{}), 696632410186104650ULL);
}

} // namespace
} // namespace fiver::runtime
