// What the ONNX importer gives the compiler: the model as training-graph ops
// in topological order (op 0 is the input), each op with the attributes its
// kind takes (compiler/plan/OpKinds.def) and, for ops with parameters, the
// names of the initializers that hold them (`init_weight`, `init_bias`, and
// for batch norm `init_mean` and `init_var`). Shapes are left to the graph
// builder, which infers them from the task's input. Protobuf-free, so sema
// and the IR read it without the ONNX headers.
#pragma once

#include "compiler/plan/Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fiver::onnx_import {

struct ImportedOp {
  std::string kind; // a plan op kind: conv, bn, relu, add, ...
  plan::ScalarMap attrs;
  std::vector<int> inputs; // indices of earlier ops, in operand order
  std::string node;        // the ONNX node it came from (messages)
  // Its shape after the batch, as the importer inferred it (empty where
  // unknown); the graph builder infers it again from the task's input.
  std::vector<int64_t> shape;
};

struct ImportedModel {
  std::string path; // as resolved, absolute
  std::string hash; // of the file's bytes
  int64_t opset = 0;
  // The graph input's shape without the batch dimension; -1 where dynamic.
  std::vector<int64_t> inputShape;
  bool tokens = false; // the input is int64 token ids [T] (a text model), not images
  std::vector<ImportedOp> ops;
  // The weights the run starts from: "pretrained" (the initializers) or
  // "random" (fresh initialization, the file is not read at run time).
  std::string weights = "pretrained";
};

} // namespace fiver::onnx_import
