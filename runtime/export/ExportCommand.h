// `5rc-exec export RUN_DIR -o model.onnx [--fold-bn] [--reference N|all]`:
// the model of a finished run, with the weights its evaluation used, as ONNX
// (checked by onnx::checker) and as a LibTorch archive beside it; optionally
// reference inputs and FiveR's logits for them (ReferenceOutputs.h).
// `5rc export` runs this.
#pragma once

namespace fiver::runtime {

// argv[0] is "export". Returns the process's exit status.
int runExportCommand(int argc, char** argv);

} // namespace fiver::runtime
