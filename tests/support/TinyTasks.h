// Tasks of a few dozen synthetic examples, for tests that train real plans in
// milliseconds: 16x16 RGB images of 4 classes, and sequences of 16 tokens of
// a 24-token vocabulary.
#pragma once

namespace fiver::test {

inline const char* kTinyImagesTask = R"(task tiny_images {
  dataset synthetic
  input [3, 16, 16]
  classes 4
  train_size 64
  test_size 16
  metric accuracy
}
)";

inline const char* kTinyTextTask = R"(task tiny_text {
  dataset synthetic_text
  input [16]
  classes 24
  train_size 64
  test_size 16
  metric accuracy
}
)";

} // namespace fiver::test
