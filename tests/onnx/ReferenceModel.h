// A reference model exported by tools/onnx/export_reference_models.py: the
// ONNX file and PyTorch's input, outputs and gradients beside it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fiver::test {

inline std::string referenceModelsDir() {
  return FIVER_ONNX_MODELS_DIR;
}

inline std::string referenceModelPath(const std::string& name) {
  return referenceModelsDir() + "/" + name + ".onnx";
}

// Why the reference `name` cannot be used ("" when it can).
inline std::string referenceMissing(const std::string& name) {
  if (std::filesystem::exists(referenceModelPath(name))) return {};
  return referenceModelPath(name) +
         " was not exported: /usr/bin/python3 needs python3-torch, python3-torchvision and "
         "python3-onnx (tools/bootstrap.sh installs them), then rebuild";
}

inline std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A recipe that trains `model` (an onnx(...) call) on random RGB 32x32 images.
inline std::string rgbRecipe(const std::string& model, const std::string& lines = "") {
  return "task rgb32 {\n  dataset synthetic\n  input [3, 32, 32]\n  classes 10\n"
         "  train_size 64\n  test_size 16\n  metric accuracy\n}\n"
         "recipe t {\n  task rgb32\n  model " +
         model + "\n  budget 1 epochs\n  batch_size 4\n" + lines + "}\n";
}

} // namespace fiver::test
