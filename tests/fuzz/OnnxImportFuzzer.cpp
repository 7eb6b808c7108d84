// libFuzzer entry point over the ONNX importer: any bytes, parsed with the
// schema's parser and mapped to training-graph ops, give a model or a
// problem with a code, never a crash, a hang or a leak.
#include "compiler/onnx/OnnxImport.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fiver::onnx_import::importOnnxBytes(std::string_view(reinterpret_cast<const char*>(data), size),
                                      "fuzz.onnx");
  return 0;
}
