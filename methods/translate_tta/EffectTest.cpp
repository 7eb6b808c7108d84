// translate_tta's effect: the composition matrix's probe and recipe line, and
// the method's own tests on a tiny synthetic task: the shifted views are the
// ones the declaration describes, and a run with the method reports the
// accuracy of the averaged logits.
#include "runtime/data/Dataset.h"
#include "runtime/metrics/FlipTta.h"
#include "tests/composition/Probes.h"
#include "tests/support/CompileText.h"

#include <gtest/gtest.h>

#include <cmath>

namespace fiver::composition {
namespace {

// Every evaluation averages views shifted by the method's `pixels`.
class TranslatedEvaluation : public Probe {
public:
  explicit TranslatedEvaluation(int64_t pixels) : pixels_(pixels) {}
  void afterMethods(Event e, const TrainState& s) override {
    if (e == Event::EvalStart)
      expect(s.translateAtEvaluation == pixels_,
             "evaluation shifts by " + std::to_string(s.translateAtEvaluation) +
                 " pixels, expected " + std::to_string(pixels_));
  }

private:
  int64_t pixels_;
};

std::unique_ptr<Probe> translateProbe(const plan::Plan& p) {
  return std::make_unique<TranslatedEvaluation>(
      std::llround(methodArgument(p, "translate_tta", "pixels")));
}

const EffectRegistrar kEffect(MethodUnderTest{
    "translate_tta",
    "retrofit training_data static domain translate_tta(pixels: 2)",
    {InputKind::Image},
    translateProbe});

// --- the method's own tests: a tiny CNN on 64 synthetic images ---

plan::Plan compiled(const std::string& methodLines) {
  const std::string text = R"(task tiny_images {
  dataset synthetic
  input [1, 12, 12]
  classes 4
  train_size 64
  test_size 32
  metric accuracy
}
recipe t {
  task tiny_images
  model small_cnn(width: 4)
  optimizer sgd(lr: 0.1, momentum: 0.9)
  schedule constant
  batch_size 16
  budget 2 epochs
  seed 5
)" + methodLines + "}\n";
  DiagnosticEngine diags;
  std::optional<plan::Plan> p = test::compileText(text, diags);
  if (!p) throw std::runtime_error("the test recipe does not compile");
  return *p;
}

double accuracyOf(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.argmax(1).eq(labels).to(torch::kDouble).mean().item<double>();
}

TEST(TranslateTtaEffect, AveragesTheImageWithItsDiagonalShifts) {
  const plan::Plan p = compiled("");
  torch::manual_seed(1);
  runtime::PlanModel model(p.ops);
  model->eval();
  torch::NoGradGuard noGrad;
  const torch::Tensor x = torch::randn({3, 1, 12, 12});
  const torch::Tensor padded = torch::nn::functional::pad(
      x, torch::nn::functional::PadFuncOptions({2, 2, 2, 2}).mode(torch::kReflect));
  const torch::Tensor downRight = padded.narrow(2, 0, 12).narrow(3, 0, 12);
  const torch::Tensor upLeft = padded.narrow(2, 4, 12).narrow(3, 4, 12);
  // The shifted copies are the image moved by two pixels.
  EXPECT_TRUE(torch::equal(downRight.narrow(2, 2, 10).narrow(3, 2, 10),
                           x.narrow(2, 0, 10).narrow(3, 0, 10)));
  const torch::Tensor expected =
      model->forward(x) / 2 + model->forward(downRight) / 4 + model->forward(upLeft) / 4;
  const torch::Tensor views =
      runtime::evaluationLogits(model, x, runtime::TestTimeAugmentation::None, 2);
  EXPECT_TRUE(torch::allclose(views, expected, 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(views, model->forward(x)));
  EXPECT_EQ(runtime::evaluationViews(runtime::TestTimeAugmentation::Flip, 2), 6);
}

TEST(TranslateTtaEffect, TheRunReportsTheAccuracyOfTheShiftedViews) {
  const plan::Plan p =
      compiled("  retrofit training_data static domain flip_tta\n"
               "  retrofit training_data static domain translate_tta(pixels: 1)\n");
  runtime::Dataset data = runtime::loadDataset(p.task, p.training.seed);
  runtime::TrainOptions o;
  o.quiet = true;
  o.threads = 1;
  o.prefetch = false;
  runtime::Trainer trainer(p, o, &data);
  trainer.fit();
  const double reported = trainer.evaluate().first;
  runtime::PlanModel& model = trainer.model();
  model->eval();
  torch::NoGradGuard noGrad;
  const torch::Tensor views =
      runtime::evaluationLogits(model, data.test.images, runtime::TestTimeAugmentation::Flip, 1);
  EXPECT_DOUBLE_EQ(reported, accuracyOf(views, data.test.labels));
  EXPECT_TRUE(trainer.translatesAtEvaluation());
  model->train();
}

} // namespace
} // namespace fiver::composition
