// Data parallelism over real processes: each test forks two ranks that train
// one plan over a localhost Gloo group, then compares what they wrote.
#include "runtime/distributed/DataParallel.h"
#include "runtime/distributed/GlooCollectives.h"
#include "runtime/train/Trainer.h"
#include "tests/runtime/TestPlans.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fiver::runtime::distributed {
namespace {

namespace fs = std::filesystem;
using testing::tinyCnnPlan;

int freePort() {
  // Different tests run in parallel: spread them over a range by pid.
  return 20000 + static_cast<int>(getpid() % 20000);
}

// The tiny CNN without batch norm: per-rank batch statistics would make a
// data-parallel run differ from a single-process one by more than rounding.
plan::Plan planWithoutBatchNorm() {
  plan::Plan p = tinyCnnPlan({.batchSize = 32, .totalSteps = 12});
  std::vector<plan::Op> kept;
  std::map<int, int> renamed; // old id -> new id
  for (const plan::Op& op : p.ops) {
    if (op.kind == "bn") {
      renamed[op.id] = renamed.at(op.inputs.at(0));
      continue;
    }
    plan::Op copy = op;
    renamed[op.id] = copy.id = static_cast<int>(kept.size());
    for (int& in : copy.inputs)
      in = renamed.at(in);
    kept.push_back(copy);
  }
  p.ops = kept;
  return p;
}

struct RankOutput {
  std::vector<double> losses;
  std::vector<int64_t> bytes;
  std::vector<torch::Tensor> parameters;
  int64_t overlappedBuckets = 0;
};

void save(const std::string& path, const TrainResult& r, Trainer& t) {
  int64_t overlapped = 0;
  for (const auto& m : t.methods())
    if (auto* dp = dynamic_cast<const DataParallel*>(m.get()); dp && dp->buckets())
      overlapped = dp->buckets()->overlappedBuckets();
  std::vector<torch::Tensor> tensors{
      torch::tensor({overlapped}, torch::kInt64), torch::tensor(r.stepLosses, torch::kFloat64),
      torch::tensor(std::vector<int64_t>(r.stepBytesReduced.begin(), r.stepBytesReduced.end()),
                    torch::kInt64)};
  for (const torch::Tensor& p : t.model()->parameters())
    tensors.push_back(p.detach().clone());
  torch::save(tensors, path);
}

RankOutput load(const std::string& path) {
  std::vector<torch::Tensor> tensors;
  torch::load(tensors, path);
  RankOutput out;
  out.overlappedBuckets = tensors[0].item<int64_t>();
  out.losses.assign(tensors[1].data_ptr<double>(),
                    tensors[1].data_ptr<double>() + tensors[1].numel());
  out.bytes.assign(tensors[2].data_ptr<int64_t>(),
                   tensors[2].data_ptr<int64_t>() + tensors[2].numel());
  out.parameters.assign(tensors.begin() + 3, tensors.end());
  return out;
}

// Forks `world` ranks; each trains `p` and saves its result to dir/rankN.pt.
// `beforeTraining(rank)` runs in the child first (fault injection).
std::vector<int> runRanks(const plan::Plan& p, int world, const fs::path& dir,
                          int timeoutSeconds = 60,
                          const std::function<void(int)>& beforeTraining = {},
                          bool syncBatchNorm = false) {
  const int port = freePort();
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    pid_t pid = fork();
    if (pid == 0) {
      int code = 0;
      try {
        if (beforeTraining) beforeTraining(r);
        World w{world, r, r, "127.0.0.1", static_cast<uint16_t>(port)};
        GlooCollectives group(w, std::chrono::seconds(timeoutSeconds));
        TrainOptions o;
        o.threads = 1;
        o.quiet = true;
        o.collectives = &group;
        o.syncBatchNorm = syncBatchNorm;
        Trainer trainer(p, o);
        TrainResult result = trainer.fit();
        save((dir / ("rank" + std::to_string(r) + ".pt")).string(), result, trainer);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rank %d: %s\n", r, e.what());
        code = 3;
      }
      std::fflush(nullptr);
      _exit(code);
    }
    pids.push_back(pid);
  }
  // Rank 0 first; once it has failed, ranks still running (a hung one) are
  // killed, as the launcher does.
  std::vector<int> codes;
  for (pid_t pid : pids) {
    if (!codes.empty() && codes[0] != 0) kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  return codes;
}

fs::path freshDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("fiver-dp-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(DataParallel, RanksEndWithIdenticalParametersAndTheSingleProcessLossCurve) {
  plan::Plan p = planWithoutBatchNorm();
  fs::path dir = freshDir("equal");
  ASSERT_EQ(runRanks(p, 2, dir), (std::vector<int>{0, 0}));
  RankOutput r0 = load(dir / "rank0.pt"), r1 = load(dir / "rank1.pt");
  ASSERT_EQ(r0.parameters.size(), r1.parameters.size());
  for (size_t i = 0; i < r0.parameters.size(); ++i)
    EXPECT_TRUE(torch::equal(r0.parameters[i], r1.parameters[i])) << "parameter " << i;
  // Small buckets: some of them started their all-reduce during backward.
  EXPECT_GT(r0.overlappedBuckets, 0);

  torch::set_num_threads(1);
  TrainOptions single;
  single.threads = 1;
  single.quiet = true;
  TrainResult alone = train(p, single);
  ASSERT_EQ(alone.stepLosses.size(), r0.losses.size());
  for (size_t s = 0; s < r0.losses.size(); ++s)
    EXPECT_NEAR(r0.losses[s], alone.stepLosses[s], 1e-4 * std::max(1.0, alone.stepLosses[s]))
        << "step " << s;
  fs::remove_all(dir);
}

TEST(DataParallel, SynchronizedBatchNormTrainsLikeOneProcessWithTheGlobalBatch) {
  plan::Plan p = tinyCnnPlan({.batchSize = 32, .totalSteps = 12});
  fs::path dir = freshDir("syncbn");
  ASSERT_EQ(runRanks(p, 2, dir, 60, {}, true), (std::vector<int>{0, 0}));
  RankOutput r0 = load(dir / "rank0.pt"), r1 = load(dir / "rank1.pt");
  for (size_t i = 0; i < r0.parameters.size(); ++i)
    EXPECT_TRUE(torch::equal(r0.parameters[i], r1.parameters[i])) << "parameter " << i;
  TrainOptions single;
  single.threads = 1;
  single.quiet = true;
  TrainResult alone = train(p, single);
  ASSERT_EQ(alone.stepLosses.size(), r0.losses.size());
  double syncedDeviation = 0;
  for (size_t s = 0; s < r0.losses.size(); ++s) {
    EXPECT_NEAR(r0.losses[s], alone.stepLosses[s], 1e-4 * std::max(1.0, alone.stepLosses[s]))
        << "step " << s;
    syncedDeviation = std::max(syncedDeviation, std::abs(r0.losses[s] - alone.stepLosses[s]));
  }
  // Without synchronization each rank normalises with its half batch: the
  // losses drift apart, far more than the synchronized ones differ from one
  // process's, which is what the option is for.
  fs::path plainDir = freshDir("plainbn");
  ASSERT_EQ(runRanks(p, 2, plainDir), (std::vector<int>{0, 0}));
  RankOutput plain = load(plainDir / "rank0.pt");
  double drift = 0;
  for (size_t s = 0; s < plain.losses.size(); ++s)
    drift = std::max(drift, std::abs(plain.losses[s] - alone.stepLosses[s]));
  EXPECT_GT(drift, std::max(3e-4, 10 * syncedDeviation));
  fs::remove_all(dir);
  fs::remove_all(plainDir);
}

TEST(DataParallel, FrozenLayersLeaveTheAllReduce) {
  plan::Plan p = tinyCnnPlan({.batchSize = 32, .totalSteps = 12});
  // Freeze the first convolution block at step 4 and the second at step 8.
  for (plan::Op& op : p.ops) {
    if (op.name == "conv1" || op.name == "bn1") op.freezeStep = 4;
    if (op.name == "conv2" || op.name == "bn2") op.freezeStep = 8;
  }
  testing::addMethod(p, "layer_freezing");
  fs::path dir = freshDir("freeze");
  ASSERT_EQ(runRanks(p, 2, dir), (std::vector<int>{0, 0}));
  RankOutput r0 = load(dir / "rank0.pt");
  ASSERT_EQ(r0.bytes.size(), 12u);
  EXPECT_GT(r0.bytes[0], 0);
  EXPECT_EQ(r0.bytes[0], r0.bytes[3]);
  EXPECT_LT(r0.bytes[4], r0.bytes[3]); // conv1 and bn1 no longer reduced
  EXPECT_LT(r0.bytes[8], r0.bytes[7]); // nor conv2 and bn2
  fs::remove_all(dir);
}

TEST(DataParallel, ARankThatDiesMakesTheOtherFailWithinTheTimeout) {
  plan::Plan p = tinyCnnPlan({.batchSize = 32, .totalSteps = 100000});
  fs::path dir = freshDir("dead");
  auto start = std::chrono::steady_clock::now();
  // Rank 1 joins, then dies during its first steps: rank 0 blocks in an
  // all-reduce that can never complete.
  std::vector<int> codes = runRanks(p, 2, dir, 10, [](int rank) {
    if (rank == 1)
      std::thread([] {
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        std::raise(SIGKILL);
      }).detach();
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(codes[1], 128 + SIGKILL);
  EXPECT_EQ(codes[0], 3) << "rank 0 must fail, not finish or hang";
  EXPECT_LT(seconds, 40);
  fs::remove_all(dir);
}

TEST(DataParallel, ARankThatHangsMakesTheOtherFailWithinTheTimeout) {
  plan::Plan p = tinyCnnPlan({.batchSize = 32, .totalSteps = 100000});
  fs::path dir = freshDir("hung");
  auto start = std::chrono::steady_clock::now();
  std::vector<int> codes = runRanks(p, 2, dir, 5, [](int rank) {
    if (rank == 1)
      std::thread([] {
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        std::raise(SIGSTOP);
      }).detach();
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(codes[0], 3) << "rank 0 must fail, not wait forever";
  EXPECT_LT(seconds, 30);
  fs::remove_all(dir);
}

// With compression the ranks still take identical steps, and send less.
void expectCompressedRanksAgreeAndSendLess(const std::string& method, double maxRatio) {
  plan::Plan plain = tinyCnnPlan({.batchSize = 32, .totalSteps = 6});
  plan::Plan compressed = plain;
  testing::addMethod(compressed, method, {{"rank", plan::Scalar::num(1)}});
  fs::path a = freshDir(method + "-plain"), b = freshDir(method);
  ASSERT_EQ(runRanks(plain, 2, a), (std::vector<int>{0, 0}));
  ASSERT_EQ(runRanks(compressed, 2, b), (std::vector<int>{0, 0}));
  RankOutput p0 = load(a / "rank0.pt"), c0 = load(b / "rank0.pt"), c1 = load(b / "rank1.pt");
  for (size_t i = 0; i < c0.parameters.size(); ++i)
    EXPECT_TRUE(torch::allclose(c0.parameters[i], c1.parameters[i], 1e-6, 1e-7))
        << method << ": parameter " << i;
  EXPECT_LT(static_cast<double>(c0.bytes.back()), maxRatio * static_cast<double>(p0.bytes.back()))
      << method << " sent " << c0.bytes.back() << " bytes a step, uncompressed " << p0.bytes.back();
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(DataParallel, PowerSgdKeepsRanksInStepAndSendsLess) {
  expectCompressedRanksAgreeAndSendLess("powersgd", 0.5);
}

TEST(DataParallel, SignCompressionKeepsRanksInStepAndSendsLess) {
  expectCompressedRanksAgreeAndSendLess("sign_compression", 0.1);
}

} // namespace
} // namespace fiver::runtime::distributed
