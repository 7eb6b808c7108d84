#include "editor/server/SettingDocs.h"

namespace fiver::lsp {

const std::vector<std::pair<std::string, std::string>>& recipeSettingDocs() {
  static const std::vector<std::pair<std::string, std::string>> docs = {
      {"task", "the task to train on"},
      {"model", "the model, with arguments"},
      {"optimizer", "sgd(...) or adamw(...)"},
      {"schedule", "learning-rate schedule, fitted to the budget"},
      {"augment", "a list of augmentations"},
      {"batch_size", "samples per step"},
      {"seed", "random seed"},
      {"train_subset", "train on the first N samples"},
      {"holdout", "hold N training examples out (the same for every recipe and seed) and "
                  "evaluate on them during the run; the test split is evaluated once, at the end"},
      {"budget", "N epochs, N steps or N samples"},
      {"precision", "fp32, bf16 or fp16"},
      {"target", "the quality to reach: `target accuracy >= 93%`"},
      {"drop", "remove an inherited method"}};
  return docs;
}

std::string recipeSettingDoc(const std::string& setting) {
  for (const auto& [key, doc] : recipeSettingDocs())
    if (key == setting) return doc;
  return "";
}

std::string onnxModelDoc() {
  return "```5r\nmodel onnx(file: string, weights: pretrained | random = pretrained,\n"
         "           head: keep | replace = keep, channels: keep | sum = keep)\n```\n"
         "A model imported from an ONNX file (resolved relative to the recipe). Training "
         "starts from its weights unless `weights: random`; `head: replace` trains a new "
         "final linear layer for the task's classes; `channels: sum` feeds a one-channel "
         "task into an RGB model.";
}

} // namespace fiver::lsp
