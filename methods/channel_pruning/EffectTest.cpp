// channel_pruning's effect: the composition matrix's probe and recipe line,
// and the method's own tests of the ranking, the slicing and the optimizer
// state.
#include "compiler/plan/OpKinds.h"
#include "methods/channel_pruning/Hook.h"
#include "runtime/TorchCompat.h"
#include "runtime/data/Dataset.h"
#include "runtime/train/FlopCharges.h"
#include "tests/composition/ProbeSupport.h"
#include "tests/composition/Probes.h"
#include "tests/support/CompileText.h"
#include "tests/support/TinyTasks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace fiver::composition {
namespace {

using runtime::ChannelGroup;

// The reader's weight: what its input count is read from.
torch::Tensor readerWeight(runtime::PlanModel& model, const plan::Op& op) {
  return model->parametersOf(op.name).front();
}

// Channel pruning (the card): at its step every marked convolution keeps
// only its filters of largest maximum magnitude, the layers after it
// shrink with it, and the narrower model computes what the wide one
// computed with the removed channels cut off: before the methods act, the
// probe ranks the filters itself and evaluates the wide model with the
// reader's weights of the removed channels zeroed; after, it evaluates the
// pruned model on the same batch. The step after pruning then costs fewer
// FLOPs than the wide model's step, and its loss is finite.
class NarrowerLayers : public Probe {
public:
  void beforeMethods(Event e, const TrainState& s) override {
    if (e == Event::FitStart) groups_ = runtime::channelGroups(s.model->ops());
    if (e != Event::BeforeForward) return;
    if (measuring_) measureStep(s);
    if (!reference_.defined() && !pruned_ && !groups_.empty() && s.step >= groups_.front().step)
      referenceBeforePruning(s);
  }
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::BeforeForward && reference_.defined() && !pruned_) {
      checkPruned(s);
      startMeasuring(s);
    }
    if (e == Event::AfterForward && pruned_ && s.output.defined())
      expect(torch::isfinite(s.output).all().item<bool>(),
             "step " + std::to_string(s.step) + ": the pruned model's output is not finite");
  }
  void finish(runtime::Trainer&) override {
    expect(!groups_.empty(), "the plan marks no convolution to prune");
    expect(pruned_, "no step removed the filters");
    expect(measured_, "no step after pruning was measured");
  }

private:
  // The kept filters, ranked here, and the wide model's output with the
  // other channels cut off where they are read.
  void referenceBeforePruning(const TrainState& s) {
    torch::NoGradGuard noGrad;
    runtime::PlanModel& model = s.model;
    const std::vector<plan::Op>& ops = model->ops();
    std::vector<std::pair<torch::Tensor, torch::Tensor>> restore;
    for (const ChannelGroup& g : groups_) {
      const torch::Tensor w = model->parametersOf(ops[static_cast<size_t>(g.conv)].name).front();
      const torch::Tensor magnitude = w.detach().abs().amax({1, 2, 3}).cpu();
      torch::Tensor order = std::get<1>(magnitude.sort(/*stable=*/true, 0, /*descending=*/true));
      torch::Tensor kept = std::get<0>(order.narrow(0, 0, g.keep).sort());
      kept_.push_back(kept);
      wide_.push_back(w.detach().clone());
      torch::Tensor cut = torch::ones({w.size(0)});
      cut.index_fill_(0, order.narrow(0, g.keep, w.size(0) - g.keep), 0);
      torch::Tensor reader = readerWeight(model, ops[static_cast<size_t>(g.reader)]);
      restore.emplace_back(reader, reader.detach().clone());
      const torch::Tensor mask = cut.repeat_interleave(g.block).to(reader.device());
      std::vector<int64_t> shape(static_cast<size_t>(reader.dim()), 1);
      shape[1] = -1;
      reader.mul_(mask.view(shape).to(reader.dtype()));
    }
    reference_ = evaluate(model, s.images);
    for (auto& [reader, values] : restore)
      reader.copy_(values);
  }

  void checkPruned(const TrainState& s) {
    pruned_ = true;
    torch::NoGradGuard noGrad;
    runtime::PlanModel& model = s.model;
    const std::vector<plan::Op>& ops = model->ops();
    for (size_t i = 0; i < groups_.size(); ++i) {
      const ChannelGroup& g = groups_[i];
      const plan::Op& conv = ops[static_cast<size_t>(g.conv)];
      const torch::Tensor w = model->parametersOf(conv.name).front();
      expect(w.size(0) == g.keep, "'" + conv.name + "' has " + std::to_string(w.size(0)) +
                                      " filters after pruning, not " + std::to_string(g.keep));
      if (w.size(0) != g.keep) continue;
      torch::Tensor expected = wide_[i].index_select(0, kept_[i].to(w.device()));
      // A convolution that also reads a pruned one's channels lost inputs too.
      for (size_t j = 0; j < groups_.size(); ++j)
        if (groups_[j].reader == g.conv)
          expected = expected.index_select(1, kept_[j].to(w.device()));
      expect(torch::equal(w.detach().cpu(), expected.cpu()),
             "'" + conv.name + "' kept other filters than those of largest maximum magnitude");
      for (int p : g.perChannel) {
        const plan::Op& op = ops[static_cast<size_t>(p)];
        if (!plan::isKind(op.kind, plan::OpKind::BatchNorm)) continue;
        for (const torch::Tensor& t : model->moduleOf(op.name)->buffers())
          if (t.dim() == 1)
            expect(t.size(0) == g.keep, "'" + op.name + "' keeps statistics of " +
                                            std::to_string(t.size(0)) + " channels");
      }
      const plan::Op& reader = ops[static_cast<size_t>(g.reader)];
      expect(readerWeight(model, reader).size(1) == g.keep * g.block,
             "'" + reader.name + "' reads " + std::to_string(readerWeight(model, reader).size(1)) +
                 " inputs after pruning, not " + std::to_string(g.keep * g.block));
    }
    const torch::Tensor out = evaluate(model, s.images);
    bool sixteenBits = false;
    for (const plan::Op& op : ops)
      sixteenBits = sixteenBits || op.dtype != "fp32";
    const double scale = 1 + reference_.abs().max().item<double>();
    const double gap = (out - reference_).abs().max().item<double>();
    expect(gap <= (sixteenBits ? 3e-2 : 1e-4) * scale,
           "the pruned model computes other outputs than the wide one without the removed "
           "channels (gap " +
               std::to_string(gap) + ")");
  }

  void startMeasuring(const TrainState& s) {
    if (!s.flops) return;
    const runtime::PassSize size = runtime::passSizeOf(s.images);
    wideStep_ = s.flops->stepFlops(size.images, size.height, size.width);
    flopsBefore_ = s.flops->of(runtime::FlopKind::Step);
    passesBefore_ = s.gradientEvaluations;
    measuring_ = true;
  }

  void measureStep(const TrainState& s) {
    measuring_ = false;
    measured_ = true;
    const double passes =
        static_cast<double>(std::max<int64_t>(1, s.gradientEvaluations - passesBefore_));
    const double step = (s.flops->of(runtime::FlopKind::Step) - flopsBefore_) / passes;
    expect(step > 0 && step < 0.95 * wideStep_,
           "the step after pruning counted " + std::to_string(step) + " FLOPs, the wide model's " +
               std::to_string(wideStep_));
  }

  // Evaluation mode: no statistics change, nothing random.
  static torch::Tensor evaluate(runtime::PlanModel& model, const torch::Tensor& images) {
    torch::NoGradGuard noGrad;
    const bool training = model->is_training();
    const std::vector<int64_t> inputSize = model->lastInputSize;
    model->eval();
    torch::Tensor out = model->forward(images).to(torch::kFloat).cpu();
    model->train(training);
    model->lastInputSize = inputSize;
    return out;
  }

  std::vector<ChannelGroup> groups_;
  std::vector<torch::Tensor> kept_, wide_;
  torch::Tensor reference_;
  bool pruned_ = false, measuring_ = false, measured_ = false;
  double wideStep_ = 0, flopsBefore_ = 0;
  int64_t passesBefore_ = 0;
};

const EffectRegistrar kEffect(MethodUnderTest{
    "channel_pruning",
    "remove model_parameters dynamic domain channel_pruning(ratio: 50%, at: 34%)",
    {InputKind::Image},
    [](const plan::Plan&) -> std::unique_ptr<Probe> {
      return std::make_unique<NarrowerLayers>();
    }});

// --- the method's own tests ---

plan::Plan compiled(const std::string& line, const std::string& model = "small_cnn(width: 8)") {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p =
      test::compileText("recipe r {\n  task fashion_mnist\n  model " + model +
                            "\n  batch_size 100\n  budget 40 "
                            "steps\n  " +
                            line + "\n}\n",
                        diags);
  EXPECT_TRUE(p.has_value());
  return p ? *p : plan::Plan{};
}

const char* kLine = "remove model_parameters dynamic domain channel_pruning(ratio: 50%, at: 25%)";

TEST(ChannelPruningEffect, MarksOnlyConvolutionsWhoseChannelsOneLayerReads) {
  const plan::Plan p = compiled(kLine);
  std::vector<std::string> convs;
  for (const ChannelGroup& g : runtime::channelGroups(p.ops)) {
    convs.push_back(p.ops[static_cast<size_t>(g.conv)].name);
    EXPECT_EQ(g.step, 10);
  }
  // small_cnn: conv2 feeds a residual add and its branch, conv4 ends the
  // branch; conv5 reaches the classifier through pooling and flatten.
  EXPECT_EQ(convs, (std::vector<std::string>{"conv1", "conv3", "conv5"}));
}

TEST(ChannelPruningEffect, AModelWithNothingToPruneIsACompileError) {
  DiagnosticEngine diags;
  EXPECT_FALSE(test::compileText("recipe r {\n  task fashion_mnist\n  model mlp\n  budget 1 "
                                 "epochs\n  " +
                                     std::string(kLine) + "\n}\n",
                                 diags)
                   .has_value());
  ASSERT_GT(diags.errorCount(), 0u);
  EXPECT_NE(diags.diagnostics().front().message.find("no convolution whose filters"),
            std::string::npos);
}

TEST(ChannelPruningEffect, KeepsTheFiltersOfLargestMaximumMagnitudeInOrder) {
  torch::Tensor w = torch::zeros({4, 1, 1, 2});
  w[0][0][0][1] = -5; // largest by magnitude
  w[1][0][0][0] = 1;
  w[2][0][0][0] = 3;
  w[3][0][0][1] = 0.5;
  const torch::Tensor kept = runtime::strongestFilters(runtime::filterMagnitudes(w), 2);
  EXPECT_TRUE(torch::equal(kept, torch::tensor({0, 2}, torch::kInt64)));
}

TEST(ChannelPruningEffect, SlicesWeightsStatisticsReaderAndMomentumTogether) {
  const plan::Plan p = compiled(kLine);
  torch::manual_seed(0);
  runtime::PlanModel model(p.ops);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  const torch::Tensor x = torch::randn({4, 1, 28, 28});
  model->forward(x).sum().backward();
  sgd.step();
  const std::vector<ChannelGroup> groups = runtime::channelGroups(p.ops);
  const ChannelGroup& last = groups.back(); // conv5 -> ... -> flatten -> linear1
  const plan::Op& conv = p.ops[static_cast<size_t>(last.conv)];
  const plan::Op& reader = p.ops[static_cast<size_t>(last.reader)];
  const torch::Tensor convWeight = model->parametersOf(conv.name).front();
  const torch::Tensor readerW = model->parametersOf(reader.name).front();
  const torch::Tensor wideConv = convWeight.detach().clone(), wideReader = readerW.detach().clone();
  const auto* impl = convWeight.unsafeGetTensorImpl();
  const torch::Tensor kept = torch::tensor({1, 4, 6}, torch::kInt64);
  runtime::pruneChannels(model, &sgd, last, kept);
  EXPECT_EQ(convWeight.unsafeGetTensorImpl(), impl); // the optimizer's parameter still
  EXPECT_TRUE(torch::equal(convWeight, wideConv.index_select(0, kept)));
  EXPECT_TRUE(torch::equal(readerW, wideReader.index_select(1, kept)));
  for (const torch::Tensor& t : {convWeight, readerW}) {
    const auto& state = static_cast<const torch::optim::SGDParamState&>(
        *sgd.state().at(torchcompat::optimizerStateKey(t)));
    EXPECT_EQ(state.momentum_buffer().sizes(), t.sizes());
  }
  for (const plan::Op& op : p.ops) {
    if (plan::getString(op.attrs, "pruned_with", "") != conv.name ||
        !plan::isKind(op.kind, plan::OpKind::BatchNorm))
      continue;
    for (const torch::Tensor& t : model->moduleOf(op.name)->buffers()) {
      if (t.dim() == 1) {
        EXPECT_EQ(t.size(0), 3);
      }
    }
  }
  // The model trains on at its new widths.
  sgd.zero_grad();
  const torch::Tensor loss = model->forward(x).sum();
  loss.backward();
  sgd.step();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
}

// A flattened map: each channel is H·W consecutive inputs of the linear
// layer. The pruned model computes what the wide one computes with the
// removed channels' inputs zeroed.
TEST(ChannelPruningEffect, AFlattenedMapLosesEachChannelsBlockOfFeatures) {
  DiagnosticEngine diags;
  const std::optional<plan::Plan> p =
      test::compileText("model m { conv(out: 6) bn relu maxpool(4) flatten linear(out: classes) }\n"
                        "recipe r {\n  task fashion_mnist\n  model m\n  budget 4 steps\n  " +
                            std::string(kLine) + "\n}\n",
                        diags);
  ASSERT_TRUE(p.has_value());
  const std::vector<ChannelGroup> groups = runtime::channelGroups(p->ops);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].block, 49); // 7 x 7 after pooling 28 x 28 by 4
  torch::manual_seed(1);
  runtime::PlanModel model(p->ops);
  model->eval();
  const torch::Tensor x = torch::randn({3, 1, 28, 28});
  const torch::Tensor kept = torch::tensor({0, 3, 5}, torch::kInt64);
  torch::Tensor reader = model->parametersOf("linear1").front();
  torch::Tensor reference;
  {
    torch::NoGradGuard noGrad;
    const torch::Tensor wide = reader.detach().clone();
    torch::Tensor cut = torch::zeros({6});
    cut.index_fill_(0, kept, 1);
    reader.mul_(cut.repeat_interleave(49).view({1, -1}));
    reference = model->forward(x);
    reader.copy_(wide);
  }
  runtime::pruneChannels(model, nullptr, groups[0], kept);
  EXPECT_EQ(reader.size(1), 3 * 49);
  torch::NoGradGuard noGrad;
  EXPECT_TRUE(torch::allclose(model->forward(x), reference, 1e-5, 1e-5));
}

TEST(ChannelPruningEffect, ThePrunedPlanCostsLess) {
  const plan::Plan p = compiled(kLine);
  const runtime::FlopCounter wide(p), narrow(runtime::prunedPlan(p, runtime::channelGroups(p.ops)));
  EXPECT_LT(narrow.trainingPassFlops(8, 28, 28), 0.8 * wide.trainingPassFlops(8, 28, 28));
}

// 4 steps an epoch on 64 synthetic images; the filters go before step 6.
plan::Plan tinyRun() {
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(std::string(test::kTinyImagesTask) + R"(recipe t {
  task tiny_images
  model small_cnn(width: 8)
  optimizer sgd(lr: 0.1, momentum: 0.9)
  schedule constant
  batch_size 16
  budget 3 epochs
  seed 2
  remove model_parameters dynamic domain channel_pruning(ratio: 50%, at: 50%)
}
)",
                                                  diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

std::vector<torch::Tensor> finalState(const plan::Plan& p, runtime::TrainOptions o) {
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::Trainer t(p, o, &data);
  t.fit();
  return copies(t.model()->stateTensors());
}

// Stopped before the prune step and after it, the resumed run ends where
// the straight one does: the narrow weights and momentum come back from the
// checkpoint, and the filters are removed once.
TEST(ChannelPruningEffect, AResumedRunPrunesOnceAndEndsAsTheStraightRun) {
  namespace fs = std::filesystem;
  const plan::Plan p = tinyRun();
  const fs::path dir = fs::temp_directory_path() / ("fiver-prune-" + std::to_string(getpid()));
  fs::remove_all(dir);
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  runtime::TrainOptions resumed = o;
  resumed.outDir = dir.string();
  resumed.resume = true;
  for (int64_t stop : {3, 9}) {
    runtime::TrainOptions part = resumed;
    part.maxSteps = stop;
    finalState(p, part);
  }
  const std::vector<torch::Tensor> after = finalState(p, resumed);
  const std::vector<torch::Tensor> straight = finalState(p, o);
  ASSERT_EQ(after.size(), straight.size());
  for (size_t i = 0; i < straight.size(); ++i) {
    ASSERT_EQ(after[i].sizes(), straight[i].sizes()) << "state tensor " << i;
    EXPECT_TRUE(torch::equal(after[i], straight[i])) << "state tensor " << i;
  }
  EXPECT_EQ(straight.front().size(0), 4); // conv1: 8 filters, half removed
  fs::remove_all(dir);
}

} // namespace
} // namespace fiver::composition
