// libFuzzer entry point over the whole `5rc check` path: UTF-8 check, parse and
// sema of one in-memory file against the standard library, then rendering of
// every diagnostic with its source line and caret.
#include "tests/fuzz/CheckOneInput.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fiver::checkOneInput(reinterpret_cast<const char*>(data), size);
  return 0;
}
